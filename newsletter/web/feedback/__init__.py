"""SES bounce and complaint feedback: verified SNS webhook, SQS polling, and recording."""

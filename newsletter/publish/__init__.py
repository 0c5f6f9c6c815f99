"""publish: copies of an edition outside the mailbox (a Jekyll blog's `_posts` folder)."""

"""Article pages of the picked stories: fetched politely, main text extracted, cached.

A feed's description is often a sentence or only the title; the article says what
happened. For every source of every picked story (never for the hundreds of
candidates), `read.read_articles` fetches the page under the collector's limits
and network policy, extracts the main text with trafilatura (`extract`), removes
the furniture (`text.boilerplate`), trims it to the writers' budget and puts it
on the item (`Item.article`, which writers read through `Item.body`). A page that
fails keeps the feed's text, and the draft report counts why (`counts`). Pages
are cached by URL with their validators (`cache`).

Importing this package is cheap; trafilatura loads with `read`.
"""

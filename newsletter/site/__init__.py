"""site: the newsletter's public pages — landing, archive, edition pages, Atom feed.

Built here, outside `web/`, because two callers need the same pages: `serve`
answers them (with caching headers) and `newsletter publish` writes them as static
files for any static host. Only editions whose send has started are public.
"""

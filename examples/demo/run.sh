#!/usr/bin/env bash
# The offline demo: import the demo subscribers (first time only), run the daily job for the
# demo's fixed date, and show where everything went. Called by `make demo`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-.venv}
day=${DEMO_DATE:-2026-02-07}
config="$here/newsletter.toml"
nl() { "$venv/bin/newsletter" --config "$config" "$@"; }

total=$(nl subscribers count --json | "$venv/bin/python" -c \
  'import json, sys; d = json.load(sys.stdin); print(d.get("total", sum(v for v in d.values() if isinstance(v, int))))')
if [ "$total" = "0" ]; then
  nl subscribers import "$here/subscribers.csv"
fi

mkdir -p "$here/data/blog/_posts"
# The demo's article pages (examples/demo/articles/<host>/<path>) on 127.0.0.1:8787, the
# `article_mirror` of the demo config: `draft` reads the picked stories' pages from here.
port=8787
"$venv/bin/python" -m http.server "$port" --bind 127.0.0.1 --directory "$here/articles" \
  >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
"$venv/bin/python" - "$port" <<'PY' || echo "demo: article pages not served (port $port busy?); the feed text is used"
import socket, sys, time
deadline = time.monotonic() + 5
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.05)
PY

nl daily --date "$day"

edition="$here/data/editions/$day"
outbox="$here/data/outbox/$day"
cat <<EOT

The demo edition of $day:
  edition      $edition/  (items.json, briefing.json, email.html, email.txt, post.md, web.html)
  blog post    $(ls "$here"/data/blog/_posts/"$day"-*.md)
  messages     $outbox/  ($(ls "$outbox" | wc -l) .eml files, one per subscriber)
  preview      $venv/bin/newsletter --config $config preview --date $day
  run again    make demo   (sends nothing the second time)
  start over   make clean-demo
EOT

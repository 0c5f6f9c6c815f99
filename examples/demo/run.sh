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

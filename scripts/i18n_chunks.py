"""Split the untranslated (or fuzzy) entries of the English catalog into JSON chunks for translators,
and merge translated chunks back.

    .venv/bin/python scripts/i18n_chunks.py export DIR N     # DIR/chunk_01.json … (N chunks)
    .venv/bin/python scripts/i18n_chunks.py import DIR       # fills msgstr from DIR/*.json

A chunk is a list of {"id": n, "context": str|null, "msgid": str, "msgid_plural": str|null,
"where": "file:line", "en": "" | ["one", "other"]}; translators fill "en" (keeping every
%(name)s / %s placeholder) and leave everything else as it is. Then run compilemessages."""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "gongzhi" / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _todo(po):
    for entry in po:
        if entry.obsolete:
            continue
        empty = not entry.msgstr if not entry.msgid_plural else not all(entry.msgstr_plural.values())
        if empty or "fuzzy" in entry.flags:
            yield entry


def export(directory: Path, chunks: int) -> None:
    po = polib.pofile(str(PO))
    items = []
    for n, entry in enumerate(_todo(po)):
        items.append(
            {
                "id": n,
                "context": entry.msgctxt,
                "msgid": entry.msgid,
                "msgid_plural": entry.msgid_plural or None,
                "where": " ".join(f"{f}:{line}" for f, line in entry.occurrences[:2]),
                "en": ["", ""] if entry.msgid_plural else "",
            }
        )
    directory.mkdir(parents=True, exist_ok=True)
    size = max(1, -(-len(items) // chunks))
    for k in range(0, len(items), size):
        path = directory / f"chunk_{k // size + 1:02d}.json"
        path.write_text(json.dumps(items[k : k + size], ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(items)} entries → {-(-len(items) // size)} chunks in {directory}")


def merge(directory: Path) -> None:
    po = polib.pofile(str(PO))
    index = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    filled = missing = 0
    for path in sorted(directory.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            entry = index.get((item["context"], item["msgid"]))
            english = item.get("en")
            if entry is None or not english or (isinstance(english, list) and not all(english)):
                missing += 1
                continue
            if entry.msgid_plural:
                forms = english if isinstance(english, list) else [english, english]
                entry.msgstr_plural = {0: forms[0], 1: forms[1]}
            else:
                entry.msgstr = english if isinstance(english, str) else english[0]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            filled += 1
    po.save(str(PO))
    print(f"filled {filled}, missing {missing}")


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        merge(Path(sys.argv[2]))

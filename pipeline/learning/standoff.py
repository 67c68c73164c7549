"""Real text kept as standoff labels: which file, which characters, which label; never the text.

The real findings come from public Thai government pages (``../shared/sources/``, itself cut from
the PyThaiNLP thaigov corpora). The repository holds, per finding, the corpus and file it is in,
its character offsets in that file, a hash of the span and its labels. :func:`materialise` reads
the spans back out of the source (the sections file or a clone of the corpora) and refuses any
span whose hash no longer matches, so a changed source can never train a model on wrong text.

:func:`candidates` proposes the spans to label: the items the project's own segmenter finds under
a section's obstacle and recommendation headings, and sentences of running text that state an
obstacle or recommend something.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.shared.settings import SOURCES_DIR

#: The sections file shipped beside the project (see its README); a clone of the corpora also works.
SECTIONS_FILE = "thaigov_sections.jsonl.gz"
HASH_CHARS = 16

#: Fields every standoff label has, in the order they are written.
LABEL_FIELDS = (
    "id",
    "corpus",
    "path",
    "doc",
    "start",
    "end",
    "sha256",
    "origin",
    "kind",
    "category",
    "category_2",
    "confidence",
    "labeller",
)
KINDS = ("obstacle", "recommendation", "none")


class StandoffError(ValueError):
    """A label whose span cannot be read back from the source; the message names it."""


def span_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True)
class Section:
    """One section of a source file: ``text`` starts at character ``offset`` of ``path``."""

    doc: str
    corpus: str
    path: str
    offset: int
    text: str


def read_sections(source: Path | str = SOURCES_DIR) -> Iterator[Section]:
    """The sections of the shipped sections file (``source`` is the file or its folder)."""
    source = Path(source)
    path = source / SECTIONS_FILE if source.is_dir() else source
    if not path.is_file():
        raise StandoffError(f"{path}: no sections file (expected {SECTIONS_FILE})")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            yield Section(row["doc"], row["corpus"], row["path"], row["offset"], row["text"])


class SourceTexts:
    """Reads spans out of the source: the sections file, or clones of the corpora.

    A clone is a folder holding ``<corpus>/<path>`` (e.g. ``PyThaiNLP/thaigov-v2-corpus/data/...``)
    or one corpus's own checkout, with ``<path>`` directly under it.
    """

    def __init__(self, source: Path | str = SOURCES_DIR):
        self.source = Path(source)
        self._sections: dict[tuple[str, str], list[Section]] | None = None
        sections = self.source / SECTIONS_FILE if self.source.is_dir() else self.source
        if sections.is_file() and sections.name.endswith(".jsonl.gz"):
            self._sections = {}
            for section in read_sections(sections):
                self._sections.setdefault((section.corpus, section.path), []).append(section)
        elif not self.source.is_dir():
            raise StandoffError(f"{self.source}: neither a sections file nor a folder of corpora")
        self._files: dict[tuple[str, str], str] = {}

    def _file(self, corpus: str, path: str) -> str:
        key = (corpus, path)
        if key not in self._files:
            for candidate in (self.source / corpus / path, self.source / path):
                if candidate.is_file():
                    self._files[key] = candidate.read_text(encoding="utf-8")
                    break
            else:
                raise StandoffError(f"{corpus}/{path}: not found under {self.source}")
        return self._files[key]

    def span(self, corpus: str, path: str, start: int, end: int) -> str:
        if self._sections is None:
            return self._file(corpus, path)[start:end]
        for section in self._sections.get((corpus, path), ()):
            local = start - section.offset
            if 0 <= local and end - section.offset <= len(section.text):
                return section.text[local : end - section.offset]
        raise StandoffError(f"{corpus}/{path}[{start}:{end}]: no section of the source holds it")


def read_labels(path: Path | str) -> list[dict]:
    """The standoff labels of one JSON Lines file, checked for their fields and values."""
    from pipeline.shared.tables import numbered_records

    rows = []
    try:
        records = list(numbered_records(path))
    except ValueError as error:
        raise StandoffError(str(error)) from None
    for number, row in records:
        missing = [name for name in LABEL_FIELDS if name not in row]
        if missing:
            raise StandoffError(f"{path}:{number}: missing {', '.join(missing)}")
        if row["kind"] not in KINDS:
            raise StandoffError(f"{path}:{number}: unknown kind {row['kind']!r}")
        if not (isinstance(row["start"], int) and isinstance(row["end"], int)):
            raise StandoffError(f"{path}:{number}: offsets must be whole numbers")
        if not 0 <= row["start"] < row["end"]:
            raise StandoffError(f"{path}:{number}: empty or reversed span")
        rows.append(row)
    return rows


def materialise(
    labels: Iterable[dict], source: Path | str | SourceTexts = SOURCES_DIR
) -> list[dict]:
    """Each label with its ``text`` read from ``source``; a span whose hash differs is refused."""
    texts = source if isinstance(source, SourceTexts) else SourceTexts(source)
    rows = []
    for label in labels:
        text = texts.span(label["corpus"], label["path"], label["start"], label["end"])
        if span_hash(text) != label["sha256"]:
            raise StandoffError(
                f"{label['corpus']}/{label['path']}[{label['start']}:{label['end']}]: "
                f"the source's text there has changed (hash {span_hash(text)}, "
                f"label {label['id']} expects {label['sha256']})"
            )
        rows.append({**label, "text": text})
    return rows


def build_texts(labels_path: Path | str, out_path: Path | str, source=SOURCES_DIR) -> int:
    """Materialise every labelled span's text into ``out_path`` (JSON Lines); returns the count.

    Refuses (:class:`StandoffError`) the first span whose text no longer matches its hash.
    """
    from pipeline.shared.tables import atomic_path

    rows = materialise(read_labels(labels_path), source)
    out_path = Path(out_path)
    with atomic_path(out_path) as temporary:
        temporary.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    return len(rows)


# --- candidates ------------------------------------------------------------------------------

_OBSTACLE_CUES = re.compile(
    r"ปัญหา|อุปสรรค|ข้อจำกัด|ขาดแคลน|ขาด(?:การ|ความ)|ไม่เพียงพอ|ไม่ทั่วถึง|ล่าช้า|ไม่สามารถ"
    r"|ไม่ครอบคลุม|ติดขัด|ยังไม่มี|ไม่ชัดเจน|ไม่สอดคล้อง|ล้าสมัย|ไม่ได้รับ|ผลกระทบ|ไม่เป็นไปตาม"
)
_RECOMMENDATION_CUES = re.compile(r"ควร|ข้อเสนอแนะ|แนวทางแก้ไข|เสนอให้|ขอให้|เห็นควร|ต้องเร่ง|จำเป็นต้อง")
#: A clause that opens with one of these goes on the sentence before it.
_CONTINUES = re.compile(
    r"^(?:ทำให้|ส่งผล|และ|โดย|ซึ่ง|เพื่อ|เนื่องจาก|จึง|แต่|หรือ|รวมทั้ง|รวมถึง|ตลอดจน|อีกทั้ง|ประกอบกับ"
    r"|ได้แก่|เช่น|ทั้ง|อาทิ|จาก|ใน|ให้|กับ|แก่|ของ|ที่|เป็น|อัน|ด้วย|ตาม|ต่อ|จน|ก็|ยัง|นั้น|นี้"
    r"|\(|\d|[a-zA-Z])"
)
_NUMBER_MARK = re.compile(r"\s*(?:\(?[0-9๐-๙]{1,3}(?:\.[0-9๐-๙]{1,3})*[.)]|[-–•●○▪*])\s*")
_MIN_CHARS, _MAX_CHARS = 25, 450


def _sentences(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the sentences of one line of running text, cut at spaces.

    Thai puts a space between sentences and between clauses; a clause that is short or opens with
    a connective (ทำให้, เนื่องจาก, และ, โดย, ...) goes on the sentence before it.
    """
    pieces = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
    current: list[int] | None = None
    for start, end in pieces:
        text = line[start:end]
        if current is not None and (
            _CONTINUES.match(text) or end - start < 12 or current[1] - current[0] < 20
        ):
            current[1] = end
            continue
        if current is not None:
            yield tuple(current)
        current = [start, end]
    if current is not None:
        yield tuple(current)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its numbering mark and surrounding spaces."""
    mark = _NUMBER_MARK.match(text, start, end)
    if mark:
        start = mark.end()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _list_items(section: Section) -> Iterator[tuple[int, int]]:
    """Spans of the items the segmenter files under an obstacle or recommendation section."""
    from pipeline.stages.normalize import normalize_document
    from pipeline.stages.read import Block, Document
    from pipeline.stages.segment import segment

    lines = section.text.split("\n")
    starts = _line_starts(section.text)
    blocks = [Block(raw=line, line=n) for n, line in enumerate(lines, start=1) if line.strip()]
    document, _ = normalize_document(Document(source=section.doc, format="text", blocks=blocks))
    findings, _ = segment(document)
    for finding in findings.itertuples():
        if finding.kind not in ("obstacle", "recommendation"):
            continue
        first = int(finding.line) - 1
        last_raw = str(finding.raw_text).split("\n")[-1]
        end_line = lines.index(last_raw, first) if last_raw in lines[first:] else first
        yield _trim(section.text, starts[first], starts[end_line] + len(lines[end_line]))


def _running_sentences(section: Section) -> Iterator[tuple[int, int]]:
    starts = _line_starts(section.text)
    for number, line in enumerate(section.text.split("\n")):
        if len(line) < _MIN_CHARS:
            continue
        for start, end in _sentences(line):
            piece = line[start:end]
            if _OBSTACLE_CUES.search(piece) or _RECOMMENDATION_CUES.search(piece):
                yield _trim(section.text, starts[number] + start, starts[number] + end)


def candidates(section: Section) -> list[dict]:
    """Spans of ``section`` worth labelling, in file offsets, without overlaps; lists first."""
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for origin, spans in (
        ("list", _list_items(section)),
        ("sentence", _running_sentences(section)),
    ):
        for start, end in spans:
            if not _MIN_CHARS <= end - start <= _MAX_CHARS:
                continue
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            text = section.text[start:end]
            found.append(
                {
                    "corpus": section.corpus,
                    "path": section.path,
                    "doc": section.doc,
                    "start": section.offset + start,
                    "end": section.offset + end,
                    "sha256": span_hash(text),
                    "origin": origin,
                    "text": text,
                }
            )
    return found


#: Words that point to each category, used only to spread the candidates over the categories.
TOPIC_CUES = {
    "manpower": r"บุคลากร|อัตรากำลัง|เจ้าหน้าที่|กำลังคน|ความรู้|ทักษะ|อบรม|แพทย์|ครู|พนักงาน",
    "budget": r"งบประมาณ|เบิกจ่าย|ค่าใช้จ่าย|เงินกู้|จัดสรร|ทุน|วงเงิน",
    "regulation": r"ระเบียบ|กฎหมาย|ข้อบังคับ|พระราชบัญญัติ|หลักเกณฑ์|อนุญาต|ประกาศ|กฎกระทรวง",
    "tools": r"ระบบ|ฐานข้อมูล|ข้อมูล|เทคโนโลยี|อุปกรณ์|เครื่องมือ|ดิจิทัล|แอปพลิเคชัน|อินเทอร์เน็ต",
    "management": r"บริหารจัดการ|การติดตาม|ประเมินผล|แผน|เป้าหมาย|ตัวชี้วัด|กระบวนการ|ขั้นตอน",
    "disaster": r"โควิด|ระบาด|น้ำท่วม|อุทกภัย|ภัยแล้ง|ภัยพิบัติ|สาธารณภัย|ฝุ่น|PM|พายุ|ไฟป่า",
    "policy": r"นโยบาย|มติคณะรัฐมนตรี|รัฐบาล|สั่งการ|เร่งด่วน|เปลี่ยนแปลง",
    "coordination": r"ประสาน|บูรณาการ|ความร่วมมือ|ภาคเอกชน|ประชาชน|ชุมชน|หน่วยงานที่เกี่ยวข้อง|ภาคี",
}
_TOPICS = {name: re.compile(pattern) for name, pattern in TOPIC_CUES.items()}
_STRONG_OBSTACLE = re.compile(
    r"ปัญหา\s*(?:และ)?\s*อุปสรรค|ข้อจำกัด|ขาดแคลน|ไม่เพียงพอ|ล่าช้า|ไม่ทั่วถึง|ไม่ชัดเจน|ล้าสมัย"
    r"|ไม่สอดคล้อง|ติดขัด|ขาดการ|ขาดความ|ยังไม่มี|ไม่เอื้อ|ซ้ำซ้อน|ไม่ครบถ้วน|ไม่เป็นปัจจุบัน"
)
_WEAK_ONLY = re.compile(r"(?:เพื่อ|ช่วย|การ)?แก้(?:ไข)?ปัญหา")


def candidate_score(candidate: dict) -> int:
    """How likely a candidate is a finding: lists and strong cue words first."""
    text = candidate["text"]
    score = 2 if candidate["origin"] == "list" else 0
    score += 2 * bool(_STRONG_OBSTACLE.search(text)) + 2 * ("ควร" in text)
    score += "ข้อเสนอแนะ" in text or "แนวทางแก้ไข" in text
    if not _STRONG_OBSTACLE.search(text) and "ควร" not in text and _WEAK_ONLY.search(text):
        score -= 2
    return score


def topics(text: str) -> list[str]:
    return [name for name, pattern in _TOPICS.items() if pattern.search(text)]

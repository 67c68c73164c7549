"""Peak memory of `findings parse` and `findings classify` on the worst inputs the limits allow.

    python benchmarks/hostile.py            # about a minute; writes benchmarks/hostile.md

Each case is a file built here at the edge of a limit (or past it, where the tool must refuse it
early), parsed in a fresh process whose peak resident size is read from the operating system. The
table states each peak beside the bytes the file really holds once unpacked, and the bound the
README states: peak <= the command's start-up size + K x the content. Nothing here asserts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = Path(sys.executable).with_name("findings")
MIB = 2**20

_PEAK = (
    "import resource, subprocess, sys;"
    "done = subprocess.run(sys.argv[1:], capture_output=True);"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak(*command: str) -> tuple[int, float]:
    """Exit status and peak resident MiB of one command run in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True)
    status, kib = out.stdout.split()
    return int(status), int(kib) / 1024


def unpacked(path: Path) -> int:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                with archive.open(info) as member:
                    try:
                        while chunk := member.read(MIB):
                            total += len(chunk)
                    except zipfile.BadZipFile:
                        break
            return total
    return path.stat().st_size


def claiming_workbook(folder: Path) -> Path:
    from openpyxl import Workbook

    path = folder / "claims_a1_xfd1048576.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ข้อความ"])
    sheet.append(["รถดูดโคลนมีไม่พอ"])
    sheet["XFD1"] = "x"
    sheet["A1048576"] = "ควรจัดหารถดูดโคลนเพิ่ม"
    workbook.save(path)
    return path


def big_workbook(folder: Path, rows: int = 45_000) -> Path:
    from openpyxl import Workbook

    path = folder / f"rows_{rows}.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["ข้อความ", "ประเภท"])
    for n in range(rows):
        sheet.append([f"งบประมาณซ่อมถนนในซอยที่ {n} ได้รับไม่เพียงพอต่อความต้องการ", "ปัญหาอุปสรรค"])
    workbook.save(path)
    return path


def docx_of(folder: Path, name: str, size: int, lie: bool = False) -> Path:
    import docx

    path = folder / name
    docx.Document().save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    # paragraphs of about 1,000 characters: the document stays under the 50,000-line cap
    paragraph = f"<w:p><w:r><w:t>{'งบประมาณไม่เพียงพอ ' * 50}</w:t></w:r></w:p>".encode()
    body = b"<w:body>" + paragraph * (size // len(paragraph))
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", body, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, data in parts.items():
            archive.writestr(n, data)
    if lie:
        data = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            start = 0
            while (start := data.find(signature, start)) != -1:
                data[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
                start += 4
        path.write_bytes(bytes(data))
    return path


def long_lines(folder: Path) -> Path:
    path = folder / "long_lines.txt"
    line = "1. " + "งบประมาณไม่เพียงพอ " * 1000  # 19,000 characters, under the 20,000 cap
    path.write_text("ปัญหาอุปสรรค\n" + "\n".join([line] * 600) + "\n", encoding="utf-8")
    return path


def one_huge_line(folder: Path) -> Path:
    path = folder / "one_50mb_line.txt"
    path.write_text("ปัญหาอุปสรรค\n1. " + "ก" * (50 * MIB // 3) + "\n", encoding="utf-8")
    return path


def long_table(folder: Path) -> Path:
    path = folder / "long_findings.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(1_000):
            text = f"ข้อที่ {n} " + "เจ้าหน้าที่ไม่เพียงพอต่อภาระงาน " * 600  # ~19,000 chars
            out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        empty = folder / "empty.txt"
        empty.write_text("ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n", encoding="utf-8")
        _, base_parse = peak(str(FINDINGS), "parse", str(empty), "-o", str(folder / "o.jsonl"))
        _, base_classify = peak(
            str(FINDINGS),
            "classify",
            str(empty),
            "-o",
            str(folder / "o.jsonl"),
            "--model",
            "keywords",
        )
        cases = [
            ("parse", claiming_workbook(folder), base_parse),
            ("parse", big_workbook(folder), base_parse),
            ("parse", docx_of(folder, "document_40mib.docx", 40 * MIB), base_parse),
            ("parse", docx_of(folder, "document_60mib.docx", 60 * MIB), base_parse),
            ("parse", docx_of(folder, "lying_headers.docx", 8 * MIB, lie=True), base_parse),
            ("parse", long_lines(folder), base_parse),
            ("parse", one_huge_line(folder), base_parse),
            ("classify", long_table(folder), base_classify),
        ]
        for command, path, base in cases:
            extra = ["--model", "keywords"] if command == "classify" else []
            status, mib = peak(
                str(FINDINGS), command, str(path), "-o", str(folder / "out.jsonl"), *extra
            )
            content = unpacked(path) / MIB
            rows.append(
                {
                    "command": command,
                    "input": path.name,
                    "file MiB": round(path.stat().st_size / MIB, 2),
                    "content MiB": round(content, 1),
                    "exit": status,
                    "peak MiB": round(mib),
                    "over start-up MiB": round(mib - base),
                    "K = over start-up / content": (
                        round((mib - base) / content, 1) if status == 0 and content >= 1 else "-"
                    ),
                }
            )
        header = list(rows[0])
        lines = [
            f"Start-up peak: parse {base_parse:.0f} MiB, classify {base_classify:.0f} MiB.",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "benchmarks" / "hostile.md").write_text(
        "# Peak memory on hostile input\n\nMade by `python benchmarks/hostile.py`.\n\n" + text,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()

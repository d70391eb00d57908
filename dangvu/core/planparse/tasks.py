"""Tasks: the numbered items, dash items and schedule rows of the task sections.

An item with several deadlines ("hoàn thành trước ngày 15/6/2025, ... báo cáo trước ngày
20/6/2025") becomes one task per deadline (ids "II.5.1-1a", "II.5.1-1b"), so every deadline
of the plan is some task's ``timing.end``. An item with no timing of its own takes the
timing of the phase it sits in ("1. Từ tháng 7/2024 đến ngày 31/8/2024").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dangvu.core.planparse.normalize import Source, squeeze
from dangvu.core.planparse.structure import Node
from dangvu.core.planparse.timing import Hit, find_timings

_TASK_KINDS = {"a1", "a2", "a3", "a4", "letter", "paren", "bullet-", "bullet+", "row"}
_ORG_HEAD = (
    r"(?:ban|chi doan|chi hoi|van phong|uy ban|ubkt|ubnd|hdnd|dang uy|dang bo|chi bo|chi uy|cap uy|thuong truc|thuong vu|"
    r"tieu ban|hoi dong|mat tran|ubmt|doan|hoi(?! nghi)|cong doan|cac|can bo|dong chi|bi thu|pho bi thu|cong an|"
    r"quan su|truong(?! hop)|so(?! luong)|phong|to giup viec|to dang|to dan pho|co quan|dang vien|dang uy vien|"
    r"uy vien)"
)
_STOP_WORDS = (
    "theo doi", "tham dinh", "tong hop", "kiem tra", "don doc", "trien khai", "thuc hien", "xay dung",
    "huong dan", "bao cao", "de xuat", "chi dao", "lanh dao", "hoan thanh", "ra soat", "tham muu", "can cu",
    "nghien cuu", "thuong xuyen", "dinh ky", "tiep tuc", "chuan bi", "phan cong", "tuyen truyen", "quan triet",
    "co trach nhiem", "chiu trach nhiem", "theo", "de", "trong", "tai", "ve", "va bao cao", "trinh",
    "cu can bo", "to chuc thuc hien", "to chuc cac", "to chuc hoi nghi", "nam chac", "giam sat",
    "tren co so", "cua",
)
_PROTECTED = ("co quan tham muu", "chuong trinh", "quy trinh", "qua trinh", "to trinh", "uy ban kiem tra",
              "ban kiem tra", "ban tuyen giao", "ban dan van", "ban to chuc")
_GIAO = re.compile(rf"(?<![a-z])giao\s{{1,2}}(?:cho\s{{1,2}})?(?={_ORG_HEAD}\b)")
_CHU_TRI_AFTER = re.compile(r"\bchu tri\b")
_CHU_TRI_LABEL = re.compile(r"(?:co quan|don vi)?\s{0,2}chu tri\s{0,2}:\s*")
_PHOI_HOP = re.compile(r"\bphoi hop\s{0,2}(?::|voi|cung)?\s{0,2}")
_DOI_VOI = re.compile(r"doi voi\s{1,2}")
_X_COLON = re.compile(rf"{_ORG_HEAD}\b[^:.;]{{0,70}}:")
_ROLES = {
    "id": ("stt", "tt", "so tt"),
    "title": ("noi dung", "nhiem vu", "cong viec", "hoat dong"),
    "timing": ("thoi gian", "thoi han", "tien do", "moc"),
    "lead": ("chu tri", "don vi thuc hien", "co quan thuc hien", "phu trach", "thuc hien"),
    "support": ("phoi hop",),
}


@dataclass
class Span:
    start: int
    end: int


def _protected(low: str, at: int) -> bool:
    """Is the verb at ``at`` part of a noun ("cơ quan tham mưu", "chương trình")?"""
    return any(low.startswith(p, at - off) for p in _PROTECTED for off in range(len(p)) if at - off >= 0)


def _org_end(low: str, start: int, limit: int) -> int:
    """Where an organization name starting at ``start`` ends: before the first verb."""
    end = limit
    for word in _STOP_WORDS:
        for m in re.compile(rf"(?<![a-z]){word}(?![a-z])").finditer(low, start, limit):
            if m.start() > start and not _protected(low, m.start()):
                end = min(end, m.start())
                break
    while end > start and low[end - 1] in " ,;.(:":
        end -= 1
    return end


def _split_orgs(doc: Source, start: int, end: int) -> list[str]:
    """"Ban A, Văn phòng B và các cơ quan C" → three names; commas inside a name are kept."""
    low = doc.low
    cuts = [start]
    for m in re.finditer(rf"(?:,|;|\s(?:va|cung))\s{{1,2}}(?={_ORG_HEAD}\b)", low[start:end]):
        cuts.append(start + m.start())
        cuts.append(start + m.end())
    cuts.append(end)
    names = [squeeze(doc.src[a:b]).strip(" ,;.") for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    return [n for n in names if len(n) > 2]


def lead_support(doc: Source, start: int, end: int) -> tuple[list[str], list[str]]:
    """Lead and support named in a task's own text ("Giao X chủ trì, phối hợp với Y ...")."""
    low = doc.low
    lead: list[str] = []
    support: list[str] = []
    m = _CHU_TRI_LABEL.search(low, start, end)
    if m and ":" in m.group():
        stop = re.compile(r"[.;\n|]").search(low, m.end(), end)
        lead = _split_orgs(doc, m.end(), stop.start() if stop else end)
    else:
        g = _GIAO.search(low, start, end)
        c = _CHU_TRI_AFTER.search(low, g.end() if g else start, end)
        if g and c and c.start() - g.end() < 90:
            lead = _split_orgs(doc, g.end(), c.start())
        elif c:
            sentence = max(low.rfind(ch, start, c.start()) for ch in ".;:\n") + 1
            sentence = max(sentence, start)
            if 3 <= c.start() - sentence < 90 and re.match(rf"\s*{_ORG_HEAD}\b", low[sentence: c.start()]):
                lead = _split_orgs(doc, sentence, c.start())
        elif g:
            lead = _split_orgs(doc, g.end(), _org_end(low, g.end(), min(end, g.end() + 90)))
    p = _PHOI_HOP.search(low, start, end)
    if p and re.match(rf"{_ORG_HEAD}\b", low[p.end(): p.end() + 20]):
        support = _split_orgs(doc, p.end(), _org_end(low, p.end(), min(end, p.end() + 160)))
    return [x.rstrip(" ,") for x in lead if x], support


def _title(doc: Source, start: int, end: int) -> str:
    text = squeeze(doc.src[start:end])
    if len(text) > 220:
        cut = text.rfind(" ", 0, 200)
        text = text[: cut if cut > 0 else 200] + "…"
    return text.strip(" -+:")


def _parts(doc: Source, hits: list[Hit], start: int, end: int) -> list[tuple[int, int, Hit | None]]:
    """Split a task's text at its deadlines: one (start, end, timing) per deadline."""
    dated = [h for h in hits if h.end is not None]
    if len(dated) <= 1:
        best = dated[0] if dated else next((h for h in hits if h.kind == "from"), None) or (hits[0] if hits else None)
        if best is not None and best.kind in ("by",) and best.end:
            opener = next((h for h in hits if h.kind == "from" and h.pos < best.pos), None)
            if opener:
                best = Hit("between", opener.start, best.end, opener.pos, best.stop)
        return [(start, end, best)]
    out = []
    cut = start
    pending_from: Hit | None = None
    for h in hits:
        if h.kind == "from":
            pending_from = h
            continue
        if h.end is None:
            continue
        stop = re.compile(r"[.;,)]").search(doc.low, h.stop, end)
        part_end = stop.start() if stop else end
        if pending_from and h.kind == "by":
            h = Hit("between", pending_from.start, h.end, pending_from.pos, h.stop)
        pending_from = None
        out.append((cut, max(part_end, h.stop), h))
        cut = max(part_end, h.stop) + 1
    return out


def _row_cells(doc: Source, node: Node) -> list[Span]:
    assert node.para is not None
    cells, pos = [], node.para.start
    for piece in doc.src[node.para.start: node.para.end].split("|"):
        cells.append(Span(pos, pos + len(piece)))
        pos += len(piece) + 1
    # Outer pipes leave an empty piece at each end; empty inner cells keep their column.
    if cells and not doc.src[cells[0].start: cells[0].end].strip():
        cells.pop(0)
    if cells and not doc.src[cells[-1].start: cells[-1].end].strip():
        cells.pop()
    return cells


def _row_roles(doc: Source, node: Node) -> dict[str, int] | None:
    """Column roles from the header row of the table ``node`` sits in, if any."""
    assert node.parent is not None
    siblings = node.parent.children
    for sib in reversed(siblings[: siblings.index(node)]):
        if sib.kind != "row":
            break
        cells = _row_cells(doc, sib)
        roles: dict[str, int] = {}
        for i, c in enumerate(cells):
            text = doc.low[c.start: c.end].strip()
            for role, words in _ROLES.items():
                if role not in roles and any(text.startswith(w) or w in text for w in words):
                    roles[role] = i
                    break
        if len(roles) >= 2:
            return roles
    return None


def _is_header_row(doc: Source, node: Node) -> bool:
    cells = _row_cells(doc, node)
    return bool(cells) and not any(ch.isdigit() for ch in doc.low[cells[0].start: cells[0].end]) and any(
        w in doc.low[node.para.start: node.para.end] for w in ("noi dung", "thoi gian", "chu tri")
    )


def _group_lead(doc: Source, node: Node) -> list[str]:
    """A lead a heading sets for itself and the items below ("2.1 Đối với X", "X: ...", labels)."""
    if node.para is None:
        return []
    low = doc.low
    body, end = node.para.body, node.para.end
    if node.kind.startswith("label"):
        return [squeeze(doc.src[body:end]).rstrip(": ")]
    m = _DOI_VOI.match(low, body, end)
    if m and node.kind not in ("bullet-", "bullet+", "row") and end - body < 100:
        return [squeeze(doc.src[m.end(): end]).rstrip(":. ")]
    m = _X_COLON.match(low, body, end)
    if m:
        return [squeeze(doc.src[body: m.end() - 1])]
    # "3. Các tổ chức cơ sở đảng trực thuộc Đảng ủy": a heading that only names who acts.
    if node.kind in ("a1", "a2", "a3", "letter", "paren") and end - body < 80 \
            and re.match(rf"{_ORG_HEAD}\b", low[body:end]) and _org_end(low, body, end) == end \
            and re.search(r"dang uy|dang bo|chi bo|to chuc (?:co so )?dang|cap uy|ban |van phong|mat tran",
                          low[body:end]):
        return [squeeze(doc.src[body:end]).rstrip(":. ")]
    return []


def find_tasks(doc: Source, root: Node, masked: list[tuple[int, int]], issued: dt.date | None) -> list[dict]:
    tasks: list[dict] = []
    inherited: dict[int, tuple[Hit | None, list[str]]] = {}
    for node in root.walk():
        parent_timing, parent_lead = inherited.get(id(node.parent), (None, []))
        group = _group_lead(doc, node)
        context_lead = group or parent_lead
        in_tasks = "tasks" in node.categories and node.kind in _TASK_KINDS
        if "tasks" in node.categories and node.kind in ("roman", "part"):
            tasks.extend(_section_body_tasks(doc, node, masked, issued))
        if not in_tasks or (node.kind == "row" and _is_header_row(doc, node)):
            inherited[id(node)] = (None if node.kind in ("roman", "part") else parent_timing, context_lead)
            continue
        spans = _own_spans(doc, node)
        hits: list[Hit] = []
        for sp in spans:
            hits.extend(find_timings(doc, sp.start, sp.end, masked, issued=issued))
        start, end = spans[0].start, spans[-1].end
        parts = _parts(doc, hits, start, end)
        lead, support = _roles_of(doc, node, spans)
        lead = lead or context_lead
        inherited[id(node)] = (parts[0][2] or parent_timing, context_lead)
        tid, title = _id_title(doc, node)
        title_start = node.para.body if node.para and node.kind != "row" else start
        for k, (ps, pe, hit) in enumerate(parts):
            timing = hit or parent_timing
            tasks.append({
                "id": tid + (chr(ord("a") + k) if len(parts) > 1 else ""),
                "title": title if len(parts) == 1 else (_title(doc, max(ps, title_start), pe) or title),
                "timing": timing.as_dict(doc) if timing else None,
                "lead": lead,
                "support": support,
            })
    return tasks


def _section_body_tasks(doc: Source, node: Node, masked: list[tuple[int, int]],
                        issued: dt.date | None) -> list[dict]:
    """Unnumbered paragraphs right under "IV. TỔ CHỨC THỰC HIỆN" that carry a deadline."""
    out: list[dict] = []
    for k, para in enumerate(node.body, start=1):
        hits = find_timings(doc, para.start, para.end, masked, issued=issued)
        if not any(h.end for h in hits):
            continue
        lead, support = lead_support(doc, para.start, para.end)
        parts = _parts(doc, hits, para.start, para.end)
        for j, (ps, pe, hit) in enumerate(parts):
            out.append({
                "id": f"{node.id}-p{k}" + (chr(ord("a") + j) if len(parts) > 1 else ""),
                "title": _title(doc, ps, pe),
                "timing": hit.as_dict(doc) if hit else None,
                "lead": lead,
                "support": support,
            })
    return out


def _id_title(doc: Source, node: Node) -> tuple[str, str]:
    assert node.para is not None
    if node.kind == "row":
        cells = _row_cells(doc, node)
        roles = _row_roles(doc, node) or {}
        first = doc.low[cells[0].start: cells[0].end].strip(" .") if cells else ""
        tid = node.id
        if first.isdigit():
            tid = f"{node.parent.id}.{first}" if node.parent and node.parent.id else first
        if "title" in roles and roles["title"] < len(cells):
            cell = cells[roles["title"]]
        elif cells:
            cell = max(cells, key=lambda c: c.end - c.start)
        else:  # a row of bare pipes
            cell = Span(node.para.start, node.para.end)
        return tid, _title(doc, cell.start, cell.end)
    body = node.para.body
    m = _X_COLON.match(doc.low, body, node.para.end)
    if m and node.para.end - m.end() > 10:
        body = m.end()
    return node.id, _title(doc, body, node.para.end)


def _own_spans(doc: Source, node: Node) -> list[Span]:
    if node.kind == "row":
        roles = _row_roles(doc, node)
        cells = _row_cells(doc, node)
        if roles and "timing" in roles and roles["timing"] < len(cells):
            return [cells[roles["timing"]]]
        return [Span(node.para.start, node.para.end)]
    return [Span(p.body if p is node.para else p.start, p.end) for p in node.paras]


def _roles_of(doc: Source, node: Node, spans: list[Span]) -> tuple[list[str], list[str]]:
    if node.kind == "row":
        roles = _row_roles(doc, node) or {}
        cells = _row_cells(doc, node)
        lead = _split_orgs(doc, cells[roles["lead"]].start, cells[roles["lead"]].end) \
            if "lead" in roles and roles["lead"] < len(cells) else []
        support = _split_orgs(doc, cells[roles["support"]].start, cells[roles["support"]].end) \
            if "support" in roles and roles["support"] < len(cells) else []
        return lead, support
    lead: list[str] = []
    support: list[str] = []
    for sp in spans:
        a, b = lead_support(doc, sp.start, sp.end)
        lead = lead or a
        support = support or b
    return lead, support

"""``dangvu bench --fuzz``: hostile requests against every page, form and API parameter.

A throwaway SQLite database gets the commune demo; the fuzzer logs in as the administrator,
crawls the site from the home page (every link, every form, every select's options), reads the
API's parameters from its OpenAPI document, then sends generated requests through Django's test
client: each a valid request with one to three fields replaced by a hostile value (unicode digits,
text past the field's length, NUL and control characters, emoji, impossible dates, huge or negative
numbers, several values for one field, a missing field, the id of an object elsewhere in the tree).
A fifth of the requests come from the secretary of one cell, so most objects are outside their
scope. Each request runs inside a transaction that is rolled back: the tree stays as crawled.

The answer counts requests by status and lists every 500 with its URL, field and exception.
The value catalogue :data:`HOSTILE` is shared with ``tests/test_fuzz.py``.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

DEFAULT_REQUESTS = 100_000
CRAWL_PAGES = 900  # pages visited by the crawl (a commune demo has a few hundred distinct pages)
PER_ROUTE = 3  # concrete URLs kept per URL pattern (three members' pages are as good as three hundred)
MEMBERS = 400  # size of the demo tree: small, the fuzzer wants breadth, not volume

# -- the hostile values --------------------------------------------------------------------------
UNICODE_DIGITS = ("²", "٣", "①", "१२", "௧", "𝟙", "³⁴", "٣٣٣", "¹²³")
CONTROLS = ("\x00", "a\x00b", "\x01", "Thôn\x02", "\x1b[31m", "\x7f", "x\x85y", "\x0b", "\x1f")
EMOJI = ("🙂", "👨‍👩‍👧", "🇻🇳" * 30, "Nguyễn 🙂 Văn")
DATES = ("01/01/1900", "31/12/1899", "31/02/2025", "2025-02-30", "29/02/2023", "99999-01-01", "01/01/99999",
         "0000-00-00", "1/1/1", "2025-13-45", "32/01/2025", "2025-06-15T25:61", "0001-01-01", "9999-12-31")
NUMBERS = ("-1", "0", "-999999999999", "99999999999999999999", "9223372036854775808", "1e309", "NaN", "inf",
           "-inf", "0x10", "1_000", " 12 ", "1.5", "-0", "1,5", "+7", "١٢", "25:99")
WORDS = ("", " ", "abc", "true", "null", "[]", "{}", "' OR 1=1 --", "<script>alert(1)</script>", "%00",
         "../../etc/passwd", "${7*7}", "{{7*7}}", "\u202egnp.exe", "\ufeff", "Nguyễn\u0301\u200b")
HOSTILE: tuple[str, ...] = UNICODE_DIGITS + CONTROLS + EMOJI + DATES + NUMBERS + WORDS
LONG_LENGTHS = (121, 256, 501, 2_001, 10_001, 100_001)


def long_text(rng: random.Random, max_length: int | None = None) -> str:
    """Text past a field's limit (or one of the usual limits when the page does not say)."""
    n = (max_length + 1) if max_length and rng.random() < 0.6 else rng.choice(LONG_LENGTHS)
    return (rng.choice(("x", "Đ", "🙂", "²")) * n)[:n]


def hostile_value(rng: random.Random, ids: list[str], max_length: int | None = None) -> str | list[str]:
    roll = rng.random()
    if roll < 0.12:
        return long_text(rng, max_length)
    if roll < 0.22 and ids:
        return rng.choice(ids)  # an object of another page, often of another subtree
    if roll < 0.27:
        return [rng.choice(HOSTILE), rng.choice(HOSTILE)]  # several values where one is expected
    return rng.choice(HOSTILE)


# -- crawling ------------------------------------------------------------------------------------
@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str | list[str] = ""
    options: list[str] = field(default_factory=list)
    max_length: int | None = None


@dataclass
class Target:
    """A form (or a page's query string) to fuzz."""

    method: str
    url: str
    fields: dict[str, Field] = field(default_factory=dict)
    api: bool = False

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields.values():
            if f.kind in ("checkbox", "radio") and not f.value:
                continue
            out[f.name] = f.value
        return out


class _PageParser(HTMLParser):
    """Links and forms of one page (only what the fuzzer needs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[dict[str, str], dict[str, Field]]] = []
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append((a, {}))
        elif self.forms and tag in ("input", "select", "textarea") and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or (not self._select.value and value):
                self._select.value = value

    def _field(self, tag: str, a: dict[str, str]) -> None:
        fields = self.forms[-1][1]
        kind = a.get("type", "text") if tag == "input" else tag
        if kind in ("submit", "button", "file", "image", "reset") and kind != "submit":
            return
        limit = int(a["maxlength"]) if a.get("maxlength", "").isascii() and a.get("maxlength", "").isdigit() else None
        f = fields.get(a["name"])
        if f is None:
            f = fields[a["name"]] = Field(a["name"], kind, "", [], limit)
        if kind == "submit":
            f.value = f.value or a.get("value", "")
        elif kind in ("checkbox", "radio"):
            f.options.append(a.get("value", "on"))
            if "checked" in a:
                f.value = a.get("value", "on")
        elif tag == "input":
            f.value = a.get("value", "")
        self._select = f if tag == "select" else None
        self._textarea = f if tag == "textarea" else None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value = str(self._textarea.value) + data


@dataclass
class Site:
    targets: list[Target] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


def _route(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.route}:{sorted(match.kwargs.items()) if 'kind' in match.kwargs else ''}"


_SKIP = re.compile(r"^/(dang-xuat|static|media)/|\.(xlsx|docx|pdf|csv|png)$")


def _roots() -> list[str]:
    """The URL conf's pages that take no argument: where the crawl starts."""
    from django.urls import URLResolver, get_resolver

    found = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif "<" not in route and not route.startswith(("^", "api/")) and not _SKIP.search("/" + route):
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return found


def crawl(client: Any, limit: int = CRAWL_PAGES) -> Site:
    """Breadth-first over same-site links; forms become targets, GET pages with a query string too."""
    queue, ids = _roots(), set()
    site, seen, per_route = Site(), set(queue), Counter()
    while queue and len(site.pages) < limit:
        url = queue.pop(0)
        r = client.get(url)
        if r.status_code in (301, 302) and r["Location"].startswith("/") and r["Location"] not in seen:
            seen.add(r["Location"])
            queue.append(r["Location"])
        if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
            continue
        site.pages.append(url)
        parser = _PageParser()
        parser.feed(r.content.decode("utf-8", "replace"))
        for attrs, fields in parser.forms:
            action = urljoin(url, attrs.get("action") or url)
            if _SKIP.search(urlsplit(action).path):
                continue
            for f in fields.values():
                ids.update(o for o in f.options if o.isascii() and o.isdigit())
            site.targets.append(Target(attrs.get("method", "get").lower(), action, fields))
        for href in parser.links:
            nxt = urljoin(url, href).split("#")[0]
            parts = urlsplit(nxt)
            if parts.netloc not in ("", "testserver") or _SKIP.search(parts.path) or nxt in seen:
                continue
            route = _route(parts.path)
            if route is None or per_route[route] >= PER_ROUTE:
                continue
            per_route[route] += 1
            seen.add(nxt)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            if parts.query:
                site.targets.append(Target("get", parts.path, {k: Field(k, "text", v) for k, v in
                                                               parse_qsl(parts.query, keep_blank_values=True)}))
    site.ids = sorted(ids)
    return site


def api_targets(client: Any, headers: dict[str, str], sample_ids: dict[str, list[str]]) -> list[Target]:
    """One target per API operation, its parameters from the OpenAPI document."""
    doc = client.get("/api/v1/openapi.json", **headers).json()
    out = []
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            if method != "get":
                continue
            fields = {p["name"]: Field(p["name"], p.get("in", "query"), "") for p in op.get("parameters", [])}
            for f in fields.values():
                f.value = (sample_ids.get(f.name) or [""])[0]
            out.append(Target("get", path, fields, api=True))
    return out


# -- sending -------------------------------------------------------------------------------------
@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    seen_errors: set[tuple[str, str]] = field(default_factory=set)

    def as_dict(self, seconds: float, site: Site, targets: int) -> dict[str, Any]:
        by_class = Counter(f"{s // 100}xx" for s in self.statuses.elements())
        return {"requests": self.requests, "seconds": round(seconds, 1),
                "per_second": round(self.requests / seconds, 1) if seconds else None,
                "pages_crawled": len(site.pages), "targets": targets,
                "2xx": by_class["2xx"], "3xx": by_class["3xx"], "4xx": by_class["4xx"], "5xx": by_class["5xx"],
                "status": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors_500": self.errors}


def mutate(rng: random.Random, target: Target, ids: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The target's valid payload with one to three fields made hostile (or missing)."""
    payload = target.payload()
    names = list(target.fields) or ["q"]
    touched = rng.sample(names, k=min(len(names), rng.choice((1, 1, 1, 2, 3))))
    for name in touched:
        f = target.fields.get(name)
        if rng.random() < 0.08:
            payload.pop(name, None)  # a missing field
        else:
            payload[name] = hostile_value(rng, ids, f.max_length if f else None)
    return payload, touched


def _send(client: Any, target: Target, payload: dict[str, Any], headers: dict[str, str]) -> Any:
    from django.db import transaction

    url = target.url
    if target.api:  # path parameters go into the path
        for name, f in target.fields.items():
            if f.kind == "path":
                value = payload.pop(name, "")
                value = value[0] if isinstance(value, list) else value
                url = url.replace("{" + name + "}", _quote(str(value)) or "0")
    with transaction.atomic():
        if target.method == "post":
            response = client.post(url, payload, **headers)
        else:
            response = client.get(url, payload, **headers)
        transaction.set_rollback(True)  # the tree stays as crawled, whatever the request did
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _record(tally: Tally, target: Target, touched: list[str], payload: dict[str, Any], status: int,
            exc: BaseException | None) -> None:
    tally.requests += 1
    tally.statuses[status] += 1
    if status < 500:
        return
    where = exc.__traceback__ if exc is not None else None
    while where is not None and where.tb_next is not None:
        where = where.tb_next
    place = f"{where.tb_frame.f_code.co_filename.rsplit('/dangvu/', 1)[-1]}:{where.tb_lineno}" if where else ""
    key = (f"{target.method} {_route(urlsplit(target.url).path) or target.url}", f"{type(exc).__name__} {place}")
    if key in tally.seen_errors or len(tally.errors) >= 200:
        return
    tally.seen_errors.add(key)
    shown = {k: (repr(v)[:60] + "…" if len(repr(v)) > 60 else repr(v)) for k, v in payload.items() if k in touched}
    tally.errors.append({"method": target.method.upper(), "url": target.url, "fields": shown,
                         "exception": f"{type(exc).__name__}: {str(exc)[:200]}" if exc else "", "at": place})


def fuzz(requests: int = DEFAULT_REQUESTS, seed: int = 12, progress: bool = False) -> dict[str, Any]:
    """Build the commune demo, crawl it, send ``requests`` generated requests; the figures as a dict."""
    from django.test import Client

    from dangvu.accounts import selectors as accounts
    from dangvu.accounts.services import issue_api_token
    from dangvu.demo.services import build_demo

    build_demo("commune", members_target=MEMBERS)
    admin, secretary = Client(raise_request_exception=False), Client(raise_request_exception=False)
    admin.force_login(accounts.user_by_username("admin"))
    secretary.force_login(accounts.user_by_username("bithu"))
    api = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(accounts.user_by_username('admin'))[1]}"}
    return send_requests(admin, secretary, api, requests, seed=seed, progress=progress)


def send_requests(admin: Any, secretary: Any, api: dict[str, str], requests: int, *, seed: int = 12,
                  progress: bool = False, crawl_limit: int = CRAWL_PAGES) -> dict[str, Any]:
    """Crawl as ``admin`` (a logged-in test client), then send the generated requests, a fifth of
    the pages' ones as ``secretary``; ``api`` holds the administrator's bearer header."""
    from django.core.signals import got_request_exception

    site = crawl(admin, crawl_limit)
    targets = [t for t in site.targets if t.fields or t.method == "post"]
    targets += api_targets(admin, api, {"member_id": site.ids[:1]})
    rng, tally = random.Random(seed), Tally()
    last: list[BaseException | None] = [None]

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        import sys

        last[0] = sys.exc_info()[1]

    got_request_exception.connect(remember)
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security", "axes")]
    levels = [q.level for q in quiet]
    for q in quiet:  # every 500 is reported below, once; refused logins are the fuzzer's own
        q.level = logging.CRITICAL + 1
    started = time.perf_counter()
    try:
        for i in range(requests):
            target = rng.choice(targets)
            client = secretary if (not target.api and rng.random() < 0.2) else admin
            payload, touched = mutate(rng, target, site.ids)
            last[0] = None
            response = _send(client, target, dict(payload), api if target.api else {})
            _record(tally, target, touched, payload, response.status_code, last[0])
            if progress and (i + 1) % 5000 == 0:
                print(f"  {i + 1} yêu cầu, {tally.statuses.get(500, 0)} lỗi 500", flush=True)
    finally:
        got_request_exception.disconnect(remember)
        for q, lv in zip(quiet, levels, strict=True):
            q.level = lv
    return tally.as_dict(time.perf_counter() - started, site, len(targets))

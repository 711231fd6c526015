"""Members' measured runs: a paste read into catalog terms or refused with the reason, stored under the member's
keyed hash (SQLite and PostgreSQL), owned by the member, hidden per server, forgotten by /forget-me, and shown on
the next /fit. Pastes are shaped as llama-bench and llama-server print them (llama.cpp's llama-bench README,
benchmark threads), figures plausible for the hardware unless a case fakes them on purpose."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot import wording
from bot.cards import to_text
from bot.commands import fit_answer
from bot.member_reports import AcceptedReport, read_report
from bot.storage import QueryLog, open_query_log
from bot.storage.reports import ReportStore
from bot.storage.rigs import RigStore
from catalog.loader import Catalog
from engine.reports import ROWS_MAX, RefusalKind, Refused
from tests.llama_bench_pastes import CUDA_3090, GPT_OSS_JSONL, LLAMA8_Q8, METAL_7B, QWEN3_MOE, SERVER_LOG, fake, table


@pytest.fixture(scope="module")
def cat(real_catalog: Catalog) -> Catalog:
    """The real catalog: pastes name real models (Qwen3-30B-A3B and its coder sibling, the Llama 8B three)."""
    return real_catalog


# (paste, hardware, model given, models read, device class of every row, rows kept)
ACCEPTED = [
    (table(*LLAMA8_Q8, devices=CUDA_3090), "RTX 3090", "llama 3.1 8b", ("llama-3.1-8b",), "gpu", 2),
    (table(*QWEN3_MOE), "RTX 4090", None, ("qwen3-30b-a3b",), "gpu", 2),  # architecture + size: the base model
    (table(*QWEN3_MOE), "RTX 4090", "qwen3-coder-30b-a3b", ("qwen3-coder-30b-a3b",), "gpu", 2),
    (table(*METAL_7B), "M2 Ultra 192GB", None, ("llama-2-7b",), "unified", 2),
    (GPT_OSS_JSONL, "RTX 3090 + 128GB DDR5-6000", None, ("gpt-oss-120b",), "offload", 2),  # 59 GiB on a 24 GB card
    # the GGUF file name of the server's log: an Instruct-2507 file
    (SERVER_LOG, "RTX 4090", None, ("qwen3-30b-a3b-instruct-2507",), "gpu", 2),
    (table(*LLAMA8_Q8, devices=CUDA_3090), "", "llama-3.1-8b", ("llama-3.1-8b",), "gpu", 2),  # devices printed
]


@pytest.mark.parametrize(("paste", "hardware", "model", "models", "cls", "kept"), ACCEPTED)
def test_a_paste_is_read_into_catalog_terms(
    cat: Catalog, paste: str, hardware: str, model: str | None, models: tuple[str, ...], cls: str, kept: int
) -> None:
    report = read_report(paste, cat, hardware=hardware, model=model)
    assert report.models == models
    assert {r.point.device_class for r in report.rows} == {cls}
    assert len(report.rows) == kept and {r.point.kind for r in report.rows} == {"member"}


MANY_ROWS = table(*[LLAMA8_Q8[1].replace("tg128", f"tg{n}") for n in range(1, ROWS_MAX + 2)])

# (paste, hardware, model given, refusal)
REFUSED = [
    ("x" * 1_000_000, "RTX 3090", None, RefusalKind.TOO_LARGE),  # a 1 MB paste is refused before it is parsed
    ("hey @everyone, my 3090 does **90 tok/s** on llama 8b!! <@123456789>", "RTX 3090", None, RefusalKind.NO_ROWS),
    ("| gpu | tok/s |\n|---|---|\n| 3090 | 90 |", "RTX 3090", None, RefusalKind.NO_ROWS),  # a table, not llama-bench's
    (MANY_ROWS, "RTX 3090", "llama-3.1-8b", RefusalKind.TOO_MANY_ROWS),
    (table(*LLAMA8_Q8), "RTX 3090", None, RefusalKind.MODEL_UNRESOLVED),  # llama 8B: Llama 3, 3.1 or the R1 distill
    (table(*LLAMA8_Q8), "RTX 3090", "70B", RefusalKind.MODEL_UNRESOLVED),  # a size is not a model to cite
    (table(*LLAMA8_Q8), "RTX 3090", "my finetune v2", RefusalKind.MODEL_UNRESOLVED),
    (
        fake(QWEN3_MOE, "qwen3moe 30B.A3B", "<@&42> **qwen9moe** 31B.A3B"),
        "RTX 4090",
        None,
        RefusalKind.MODEL_UNRESOLVED,
    ),
    (table(*LLAMA8_Q8), "a toaster with dreams", "llama-3.1-8b", RefusalKind.HARDWARE_UNREAD),
    (table(*LLAMA8_Q8), "", "llama-3.1-8b", RefusalKind.HARDWARE_UNREAD),  # no rig stated, saved or printed
    (table(*LLAMA8_Q8, devices=CUDA_3090), "RTX 4090", "llama-3.1-8b", RefusalKind.DEVICES_DIFFER),
    (fake(LLAMA8_Q8, "87.41", "870.41"), "RTX 3090", "llama-3.1-8b", RefusalKind.DECODE_OVER_BANDWIDTH),
    (fake(LLAMA8_Q8, "4985.12", "498500.12"), "RTX 3090", "llama-3.1-8b", RefusalKind.PREFILL_OVER_COMPUTE),
    (fake(METAL_7B, "93.86", "930.86"), "M2 Max 96GB", None, RefusalKind.DECODE_OVER_BANDWIDTH),
    (table(*LLAMA8_Q8, *QWEN3_MOE), "RTX 4090", "llama-3.1-8b", RefusalKind.MODELS_MIXED),
    (
        '{"timings": {"prompt_n": 512, "prompt_per_second": 2100.0, "predicted_n": 128, "predicted_per_second": 80.0}}',
        "RTX 3090",
        "llama-3.1-8b",
        RefusalKind.NO_QUANT,
    ),
]


@pytest.mark.parametrize(("paste", "hardware", "model", "kind"), REFUSED)
def test_nonsense_is_refused_with_the_reason(
    cat: Catalog, paste: str, hardware: str, model: str | None, kind: RefusalKind
) -> None:
    with pytest.raises(Refused) as refused:
        read_report(paste, cat, hardware=hardware, model=model)
    assert refused.value.refusal.kind is kind
    said = wording.report_refusal(refused.value.refusal)
    assert said and "None" not in said and "\n" not in said
    assert len(said) < 400  # a 1 MB paste is not echoed back


def test_a_refusal_names_the_figures(cat: Catalog) -> None:
    with pytest.raises(Refused) as refused:
        read_report(fake(LLAMA8_Q8, "87.41", "870.41"), cat, hardware="RTX 3090", model="llama-3.1-8b")
    said = wording.report_refusal(refused.value.refusal)
    assert "tg128 at 870 tok/s" in said and "936 GB/s" in said
    with pytest.raises(Refused) as ambiguous:
        read_report(table(*LLAMA8_Q8), cat, hardware="RTX 3090")
    assert "Llama 3.1 8B" in wording.report_refusal(ambiguous.value.refusal)


# ------------------------------------------------------------------------------------------------- storage


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "rigfit.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(location: str) -> ReportStore:
    return ReportStore(location)


@pytest.fixture
def llama(cat: Catalog) -> AcceptedReport:
    return read_report(table(*LLAMA8_Q8, devices=CUDA_3090), cat, hardware="RTX 3090", model="llama-3.1-8b")


GUILD, OTHER_GUILD = 400000000000000001, 400000000000000002


def test_a_report_is_stored_with_its_rows_listed_and_owned(store: ReportStore, llama: AcceptedReport) -> None:
    report_id = store.add("u-ana", GUILD, llama)
    [listed] = store.of_member(["u-ana"])
    assert (listed.id, listed.models, listed.rows, listed.decode_tps) == (report_id, ("llama-3.1-8b",), 2, (87.41,))
    assert listed.guild_id == str(GUILD) and listed.format == "markdown" and listed.hardware == "RTX 3090"
    assert store.raw_text(["u-ana"], report_id) == llama.raw_text
    assert store.of_member(["u-bo"]) == [] and store.raw_text(["u-bo"], report_id) is None
    assert store.delete(["u-bo"], report_id) is False  # another member's id: nothing happens
    assert len(store.points("llama")) == 2
    assert store.delete(["u-ana-new-key", "u-ana"], report_id) is True  # under any of the member's keys
    assert store.points("llama") == () and store.of_member(["u-ana"]) == []


def test_the_same_paste_twice_is_one_report(store: ReportStore, llama: AcceptedReport) -> None:
    first = store.add("u-ana", GUILD, llama)
    with pytest.raises(Refused) as again:
        store.add("u-ana", OTHER_GUILD, llama)
    assert (again.value.refusal.kind, again.value.refusal.report_id) == (RefusalKind.DUPLICATE, first)
    assert store.add("u-bo", GUILD, llama) != first  # another member measured the same: theirs


def test_a_member_keeps_a_bounded_number_of_reports(
    store: ReportStore, cat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.storage.reports.REPORTS_PER_MEMBER_MAX", 2)
    for speed in ("87.41", "86.90"):
        store.add(
            "u-ana", None, read_report(fake(LLAMA8_Q8, "87.41", speed), cat, hardware="RTX 3090", model="llama-3.1-8b")
        )
    with pytest.raises(Refused) as full:
        store.add(
            "u-ana", None, read_report(fake(LLAMA8_Q8, "87.41", "88.0"), cat, hardware="RTX 3090", model="llama-3.1-8b")
        )
    assert full.value.refusal.kind is RefusalKind.TOO_MANY_REPORTS
    assert len(store.of_member(["u-ana"])) == 2


def test_a_manager_hides_a_report_in_their_server_only(store: ReportStore, llama: AcceptedReport) -> None:
    report_id = store.add("u-ana", GUILD, llama)
    assert store.hide(GUILD, report_id) is True and store.hide(GUILD, report_id) is True  # twice is once
    assert store.hide(GUILD, report_id + 1000) is False
    assert store.points("llama", GUILD) == ()
    assert {p.report_id for p in store.points("llama", OTHER_GUILD)} == {report_id}
    assert len(store.points("llama", None)) == 2  # the shell sees every report


def test_forget_me_deletes_the_members_reports_and_nobody_elses(
    location: str, tmp_path: Path, store: ReportStore, llama: AcceptedReport
) -> None:
    qlog = open_query_log(location, journal_base=tmp_path / "pg")
    try:
        mine = store.add("u-ana", GUILD, llama)
        theirs = store.add("u-bo", GUILD, llama)
        store.hide(GUILD, mine)
        RigStore(location).set("u-ana", "RTX 3090")
        assert qlog.forget(["u-ana", "u-ana-old-key"]).pending is False
        assert store.of_member(["u-ana"]) == [] and [r.id for r in store.of_member(["u-bo"])] == [theirs]
        assert {p.report_id for p in store.points("llama")} == {theirs}
        assert not any(r.get("user_hash") == "u-ana" for r in store.export_rows())
    finally:
        qlog.close()


def test_concurrent_reports_are_each_stored_once(store: ReportStore, cat: Catalog) -> None:
    pastes = [fake(LLAMA8_Q8, "87.41", f"{80 + n}.5") for n in range(8)]
    reports = [read_report(p, cat, hardware="RTX 3090", model="llama-3.1-8b") for p in pastes]
    outcomes: list[Any] = []

    def add(user: str, report: AcceptedReport) -> None:
        try:
            outcomes.append(store.add(user, GUILD, report))
        except Refused as exc:
            outcomes.append(exc.refusal.kind)

    # eight members at once, and one member sending the same paste four times at once
    work = [(f"u-{n}", r) for n, r in enumerate(reports)] + [("u-twice", reports[0])] * 4
    threads = [threading.Thread(target=add, args=w) for w in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [o for o in outcomes if isinstance(o, int)]
    assert len(ids) == len(set(ids)) == 9
    assert Counter(o for o in outcomes if not isinstance(o, int)) == Counter({RefusalKind.DUPLICATE: 3})
    assert len(store.points("llama")) == 18


def test_text_from_a_paste_is_stored_as_received(store: ReportStore, cat: Catalog) -> None:
    paste = "@everyone **look** <@123> `rm -rf`\n" + table(*LLAMA8_Q8) + "\n\udcff"
    report = read_report(paste, cat, hardware="RTX 3090", model="llama-3.1-8b")
    report_id = store.add("u-ana", None, report)
    assert store.raw_text(["u-ana"], report_id) == paste.replace("\udcff", "\\udcff")


# ---------------------------------------------------------------------------------------- on the answers


def test_fit_shows_member_reports_next_to_the_estimate(store: ReportStore, cat: Catalog) -> None:
    for user, speed in (("u-ana", "87.41"), ("u-bo", "85.02")):
        paste = table(*(r.replace("87.41", speed) for r in LLAMA8_Q8), devices=CUDA_3090)
        store.add(user, GUILD, read_report(paste, cat, hardware="RTX 3090", model="llama-3.1-8b"))
    answer = fit_answer(cat, "llama-3.1-8b", "RTX 3090", members=store.source(GUILD))
    text = to_text(answer.card)
    assert "2 members measured 86 tok/s on NVIDIA GeForce RTX 3090, Q8_0" in text
    measured = [m for o in answer.data["readings"][0]["options"] for m in o["measured"] if m["kind"] == "member"]  # type: ignore[index]
    assert measured and all(m["reported_at"] and "source" not in m for m in measured)
    hidden = store.points("llama", GUILD)[0].report_id
    store.hide(GUILD, hidden)  # type: ignore[arg-type]
    again = fit_answer(cat, "llama-3.1-8b", "RTX 3090", members=store.source(GUILD))
    assert "1 member measured" in to_text(again.card)


def test_an_unreadable_store_leaves_the_answer(cat: Catalog, tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_bytes(b"this is not SQLite" * 100)
    answer = fit_answer(cat, "llama-3.1-8b", "RTX 3090", members=ReportStore(tmp_path / "not-a-db").source())
    assert answer.ok and "member" not in to_text(answer.card)


def test_nothing_refused_is_stored(tmp_path: Path, cat: Catalog) -> None:
    """The front ends store only what the reader accepted: a refused paste never reaches the store."""
    qlog = QueryLog(tmp_path / "q.sqlite3")
    store = ReportStore(tmp_path / "q.sqlite3")
    for paste, hardware, model, _ in REFUSED:
        with pytest.raises(Refused):
            store.add("u-ana", GUILD, read_report(paste, cat, hardware=hardware, model=model))
    assert store.export_rows() == [] and store.of_member(["u-ana"]) == []
    qlog.close()


def test_migrate_to_moves_reports_with_their_rows_and_hides_once(pg_url: str, tmp_path: Path, cat: Catalog) -> None:
    from bot.storage.migrate import migrate_to

    path = tmp_path / "rigfit.sqlite3"
    lite = ReportStore(path)
    llama = read_report(table(*LLAMA8_Q8, devices=CUDA_3090), cat, hardware="RTX 3090", model="llama-3.1-8b")
    hidden = lite.add("u-ana", GUILD, llama)
    lite.add("u-bo", None, llama)
    assert lite.hide(GUILD, hidden)
    first = migrate_to(path, pg_url)
    again = migrate_to(path, pg_url)
    assert (first.reports_copied, again.reports_copied) == (2, 0)
    pg = ReportStore(pg_url)
    assert [r.models for r in pg.of_member(["u-ana"])] == [("llama-3.1-8b",)]
    assert len(pg.points("llama", None)) == 4  # two reports of two rows each
    assert {p.report_id for p in pg.points("llama", GUILD)} == {r.id for r in pg.of_member(["u-bo"])}  # ana's hidden

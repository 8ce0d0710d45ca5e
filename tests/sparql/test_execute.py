"""Query threads: answers and refusals, streaming with flat memory, deadlines, and stuck threads."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pyoxigraph as ox
import pytest

from conflictkg.sparql import execute
from conflictkg.sparql.execute import Answer, Evaluator, QueryAborted, QueryFailed, QueryJob, QueryTimeout
from conflictkg.sparql.negotiate import NotAcceptable
from conflictkg.store import Store

FILLER = 250
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a <urn:p> ?b . ?c <urn:p> ?d . ?e <urn:p> ?f }"
"""250³ rows: several seconds of computing before the first byte (well past the 0.2 s limit plus the
grace on a fast machine), finite so a stuck thread ends."""


@pytest.fixture(scope="module")
def store() -> Store:
    store = Store()
    store.engine.extend(
        ox.Quad(ox.NamedNode(f"urn:f:{i}"), ox.NamedNode("urn:p"), ox.Literal(i)) for i in range(FILLER)
    )
    store.engine.extend(
        ox.Quad(ox.NamedNode(f"urn:row:{i}"), ox.NamedNode("urn:q"), ox.Literal("x" * 100)) for i in range(20_000)
    )
    return store


def _run(store: Store, scenario, **options):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        evaluator = Evaluator(store, **options)
        evaluator.start()
        try:
            return await scenario(evaluator)
        finally:
            evaluator.close()

    return asyncio.run(main())


async def _whole(answer: Answer) -> bytes:
    return answer.body + b"".join([chunk async for chunk in answer.rest]) if answer.rest else answer.body


def test_a_small_answer_arrives_whole_in_the_negotiated_format(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        return (
            await evaluator.evaluate(QueryJob("ASK { <urn:f:1> ?p ?o }")),
            await evaluator.evaluate(QueryJob("SELECT ?o { <urn:f:1> ?p ?o }", accept="text/csv")),
            await evaluator.evaluate(QueryJob("CONSTRUCT WHERE { <urn:f:1> ?p ?o }", formats=("nt",))),
            await evaluator.evaluate(QueryJob("SELECT ?o { <urn:f:1> ?p ?o }", head=True)),
        )

    ask, csv, graph, head = _run(store, scenario)
    assert ask.rest is None and ask.fmt.name == "json" and json.loads(ask.body)["boolean"] is True
    assert csv.fmt.name == "csv" and csv.body.splitlines() == [b"o", b"1"]
    assert graph.fmt.name == "ntriples" and b"<urn:f:1> <urn:p>" in graph.body
    assert head.fmt.name == "json" and head.body == b""


def test_refusals(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        failures = []
        for job in (QueryJob("SELECT * {"), QueryJob("INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
                    QueryJob("SELECT * { ?s ?p ?o }", accept="image/png"), QueryJob("ASK {}", formats=("turtle",))):
            try:
                await evaluator.evaluate(job)
            except (QueryFailed, NotAcceptable) as exc:
                failures.append(exc)
        return failures, await evaluator.evaluate(QueryJob("ASK { <urn:a> <urn:b> <urn:c> }"))

    (syntax, update, png, turtle), after = _run(store, scenario)
    assert isinstance(syntax, QueryFailed) and syntax.status == 400 and "syntax" in syntax.message
    assert isinstance(update, QueryFailed) and update.status == 403
    assert isinstance(png, NotAcceptable) and "text/csv" in png.supported
    assert isinstance(turtle, NotAcceptable)
    assert json.loads(after.body)["boolean"] is False


def test_a_large_result_streams_with_a_bounded_lead(store: Store) -> None:
    """The thread serialises at most CHUNKS_AHEAD chunks ahead of the reader: memory stays flat."""

    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        answer = await evaluator.evaluate(QueryJob("SELECT ?s ?o { ?s <urn:q> ?o }"))
        assert answer.rest is not None
        await asyncio.sleep(0.3)  # a slow client: the thread must wait for it
        job_items = len(answer.rest.ag_frame.f_locals["job"]._items)  # type: ignore[attr-defined]
        body = answer.body + b"".join([chunk async for chunk in answer.rest])
        return job_items, body

    waiting, body = _run(store, scenario)
    assert waiting <= execute.CHUNKS_AHEAD + 1
    assert len(json.loads(body)["results"]["bindings"]) == 20_000


def test_a_query_past_its_deadline_is_a_503_and_a_stuck_thread_is_reported(store: Store) -> None:
    stuck = threading.Event()

    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as stopped:
            await evaluator.evaluate(QueryJob(CROSS_JOIN))
        waited = time.monotonic() - started
        await asyncio.sleep(execute.STUCK_GRACE + 0.3)
        return stopped.value, waited

    stopped, waited = _run(store, scenario, timeout=0.2, on_stuck=stuck.set)
    assert stopped.status == 503 and "time limit" in stopped.message
    assert waited < 1.0
    assert stuck.is_set(), "the engine was still computing: the process must be retired"


def test_an_answer_on_the_event_loop_past_the_deadline_retires_the_process(store: Store) -> None:
    """A request answered on the event loop (it was fast before) cannot be interrupted either: the
    watchdog thread sees the loop blocked past the time limit and calls on_stuck (the supervisor then
    replaces the process), and the request goes back to the threads."""
    stuck = threading.Event()

    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        request = QueryJob("ASK { <urn:f:1> ?p ?o }")
        await evaluator.evaluate(request)
        assert request.key in evaluator._fast
        query = evaluator._query

        def runaway(job: QueryJob):  # type: ignore[no-untyped-def]  # the engine, busy on the loop's thread
            time.sleep(1.0)
            return query(job)

        evaluator._query = runaway  # type: ignore[method-assign]
        answer = await evaluator.evaluate(request)
        return answer, request.key in evaluator._fast, evaluator.stuck

    answer, remembered, count = _run(store, scenario, timeout=0.3, on_stuck=stuck.set)
    assert stuck.is_set() and count == 1, "the watchdog retired the process"
    assert not remembered and json.loads(answer.body)["boolean"] is True


def test_without_a_supervisor_a_fresh_thread_replaces_a_stuck_one(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        with pytest.raises(QueryTimeout):
            await evaluator.evaluate(QueryJob(CROSS_JOIN))
        await asyncio.sleep(execute.STUCK_GRACE + 0.3)
        started = time.monotonic()
        answer = await evaluator.evaluate(QueryJob("ASK {}"))
        return evaluator.stuck, answer, time.monotonic() - started

    stuck, answer, seconds = _run(store, scenario, threads=1, timeout=0.2)
    assert stuck == 1 and json.loads(answer.body)["boolean"] is True
    assert seconds < 0.5, "the replacement thread answered; the stuck one was not waited for"


def test_a_job_waiting_for_a_busy_thread_times_out_with_its_own_message(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        return await asyncio.gather(
            evaluator.evaluate(QueryJob(CROSS_JOIN)), evaluator.evaluate(QueryJob("ASK {}")), return_exceptions=True
        )

    running, waiting = _run(store, scenario, threads=1, timeout=0.2, on_stuck=lambda: None)
    assert isinstance(running, QueryTimeout) and "time limit" in running.message
    assert isinstance(waiting, QueryTimeout) and "busy" in waiting.message


def test_a_stream_past_its_deadline_is_aborted_and_its_thread_stops(store: Store) -> None:
    calls: list[str] = []

    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        answer = await evaluator.evaluate(QueryJob("SELECT ?s ?o { ?s <urn:q> ?o }"))
        await asyncio.sleep(0.6)  # the client stalls past the deadline
        assert answer.rest is not None
        with pytest.raises(QueryAborted, match="time limit"):
            async for _ in answer.rest:
                pass
        await asyncio.sleep(execute.STUCK_GRACE + 0.3)
        return evaluator.stuck

    assert _run(store, scenario, timeout=0.4, on_stuck=lambda: calls.append("stuck")) == 0
    assert calls == [], "a thread waiting for the client stops by itself: no process has to go"


def test_a_client_that_goes_away_frees_the_thread(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        answer = await evaluator.evaluate(QueryJob("SELECT ?s ?o { ?s <urn:q> ?o }"))
        assert answer.rest is not None
        await answer.rest.__anext__()
        await answer.rest.aclose()  # what the endpoint does when the connection drops
        return await evaluator.evaluate(QueryJob("ASK {}"))

    assert json.loads(_run(store, scenario, threads=1, timeout=5.0).body)["boolean"] is True


def test_dataset_restriction_and_base_iri(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        empty = await evaluator.evaluate(QueryJob("ASK { ?s ?p ?o }", default_graph=["urn:nowhere"], named_graphs=[]))
        based = await evaluator.evaluate(QueryJob("SELECT (<x> AS ?iri) {}", base_iri="http://host/sparql", accept="text/csv"))
        return await _whole(empty), await _whole(based)

    empty, based = _run(store, scenario)
    assert b"false" in empty and b"http://host/x" in based


def test_a_request_that_was_fast_is_answered_on_the_event_loop_with_the_same_answer(store: Store) -> None:
    async def scenario(evaluator: Evaluator):  # type: ignore[no-untyped-def]
        request = QueryJob("SELECT ?o { <urn:f:1> ?p ?o }", accept="text/csv")
        first = await evaluator.evaluate(request)
        remembered = request.key in evaluator._fast
        threads = {t.ident for t in threading.enumerate()}
        second = await evaluator.evaluate(request)
        with pytest.raises(NotAcceptable):
            await evaluator.evaluate(QueryJob(request.query, accept="image/png"))
        return first, second, remembered, threads == {t.ident for t in threading.enumerate()}

    first, second, remembered, same_threads = _run(store, scenario)
    assert remembered and same_threads
    assert (first.fmt, first.body) == (second.fmt, second.body) and second.rest is None

"""The worker pool: queries run in other processes, a timeout really ends the work, workers are replaced."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from conflictkg.sparql.execute import QueryExecutor, QueryFailed, QueryJob, QueryTimeout

SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


async def _collect(executor: QueryExecutor, query: str, fmt: str = "json") -> bytes:
    evaluation = await executor.evaluate(QueryJob(query))
    return b"".join([chunk async for chunk in evaluation.stream(fmt)])


def _run(example_file: Path, scenario, *, size: int = 2, timeout: float = 20.0):
    async def main():
        executor = QueryExecutor(None, [example_file], size=size, timeout=timeout)
        await executor.start()
        try:
            return await scenario(executor)
        finally:
            await executor.close()

    return asyncio.run(main())


def test_answers_and_reports_start_up(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        assert len(executor.startup_seconds) == 2
        return await _collect(executor, "ASK { <http://example.org/ayyash> ?p ?o }")

    assert b'"boolean":true' in _run(example_file, scenario)


def test_syntax_error_is_400_and_the_worker_stays(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        with pytest.raises(QueryFailed) as failed:
            await executor.evaluate(QueryJob("SELECT * {"))
        assert failed.value.status == 400 and "syntax" in failed.value.message
        pids = {w.process.pid for w in executor._workers}
        await _collect(executor, "ASK {}")
        assert {w.process.pid for w in executor._workers} == pids

    _run(example_file, scenario)


def test_update_sent_as_query_is_403(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        with pytest.raises(QueryFailed) as failed:
            await executor.evaluate(QueryJob("INSERT DATA { <urn:a> <urn:b> <urn:c> }"))
        assert failed.value.status == 403
        assert await _collect(executor, "ASK { <urn:a> <urn:b> <urn:c> }") == b'{"head":{},"boolean":false}'

    _run(example_file, scenario)


def test_timeout_kills_the_worker_and_a_new_one_takes_its_place(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        before = {w.process.pid for w in executor._workers}
        with pytest.raises(QueryTimeout) as stopped:
            await _collect(executor, SLOW)
        assert stopped.value.status == 503
        killed = before - {w.process.pid for w in executor._workers}
        assert len(killed) == 1
        # the pool is whole again: two queries at once both get a worker
        results = await asyncio.gather(_collect(executor, "ASK {}"), _collect(executor, "ASK {}"))
        assert all(b"true" in r for r in results)
        assert len(executor._workers) == 2

    _run(example_file, scenario, timeout=1.0)


def test_abandoned_result_returns_the_worker(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        evaluation = await executor.evaluate(QueryJob("SELECT * { ?s ?p ?o }"))
        assert evaluation.kind == "solutions"
        await evaluation.abandon()
        return await _collect(executor, "ASK {}")

    assert b"true" in _run(example_file, scenario, size=1)


def test_dataset_restriction_and_base_iri(example_file: Path) -> None:
    async def scenario(executor: QueryExecutor):
        restricted = await executor.evaluate(QueryJob("ASK { ?s ?p ?o }", default_graph=["urn:nowhere"], named_graphs=[]))
        empty = b"".join([c async for c in restricted.stream("json")])
        relative = await executor.evaluate(QueryJob("SELECT (<x> AS ?iri) {}", base_iri="http://host/sparql"))
        based = b"".join([c async for c in relative.stream("csv")])
        return empty, based

    empty, based = _run(example_file, scenario)
    assert b"false" in empty
    assert b"http://host/x" in based


def test_bad_data_fails_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .")

    async def main() -> None:
        executor = QueryExecutor(None, [bad], size=1)
        await executor.start()

    with pytest.raises(Exception, match="bad.ttl"):
        asyncio.run(main())

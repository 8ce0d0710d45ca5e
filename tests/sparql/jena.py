"""Apache Jena's command-line tools (Debian's libapache-jena-java 4.5) made runnable from the tests.

Debian's jars carry no ``Class-Path``, so the classpath is listed here: Jena's own jars and the jars of
the package's Debian dependencies. Two more things are needed that the package does not arrange:

- Debian relocates Jena's shaded Xerces classes from ``org.apache.jena.ext.xerces`` to ``xerces`` but
  leaves their message bundles under ``org/apache/jena/ext/xerces/``. Xerces' regex parser then cannot
  load ``xerces.impl.xpath.regex.message`` and ``XSDDatatype`` fails to initialise ("internal error"), so
  every command dies at start-up; the datatype messages (``xerces.impl.msg.*``) are missing too. The
  fix copies those ``.properties`` files out of ``jena-core.jar`` to the relocated path in a directory
  on the classpath. Nothing is downloaded; libxerces2-java does not help (its bundles live under
  ``org/apache/xerces``).
- Jena reports parse warnings through SLF4J; without a binding they are silently dropped, so
  ``slf4j-simple`` is on the classpath and warnings reach stderr.

Known gap of the Debian package: no ``jakarta.json`` provider (Parsson) is packaged, so Jena's JSON-LD 1.1
reader and writer (Titanium) cannot run; its JSON-LD 1.0 reader (jsonld-java, ``--syntax=jsonld10``)
works and is what the tests use for JSON-LD.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JARS = (
    "jena-base", "jena-core", "jena-arq", "jena-iri", "jena-cmds",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
    "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache", "httpcore",
    "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java", "jakarta.json-api",
    "titanium-json-ld", "protobuf", "thrift", "slf4j-api", "slf4j-simple",
)
"""Jars (in JAVA_DIR, without ``.jar``) that Jena's command-line classes load."""

RELOCATED_BUNDLES = {
    "org/apache/jena/ext/xerces/impl/msg/": "xerces/impl/msg/",
    "org/apache/jena/ext/xerces/impl/xpath/regex/": "xerces/impl/xpath/regex/",
}
"""Where jena-core.jar keeps the Xerces message bundles → where Debian's relocated classes look for them."""

JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
"""Short-lived commands: the C1 compiler alone starts ~0.4 s faster; only warnings and errors are logged."""
TRAINING_QUERY = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s LIMIT 1"
"""Run once by ``install`` (against a SPARQL service, else over a one-triple file), so the class archive
holds what a query and its results load."""

RUN_TIMEOUT = 120.0


def missing() -> str | None:
    """Why Jena cannot run here, or None when java and every jar are present."""
    if shutil.which("java") is None:
        return "java is not installed (Debian: apt-get install default-jre-headless)"
    absent = [name for name in JARS if not (JAVA_DIR / f"{name}.jar").is_file()]
    if absent:
        return f"Jena's jars are absent from {JAVA_DIR} ({', '.join(absent)}): apt-get install libapache-jena-java"
    return None


def relocate_bundles(jena_core: Path, target: Path) -> None:
    """Copy the Xerces message bundles of ``jena_core`` to the package path Debian's classes use."""
    with zipfile.ZipFile(jena_core) as jar:
        for name in jar.namelist():
            for source, relocated in RELOCATED_BUNDLES.items():
                if name.startswith(source) and name.endswith(".properties"):
                    destination = target / relocated / name.removeprefix(source)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(jar.read(name))


@dataclass(frozen=True)
class Jena:
    """Runs Jena command-line classes (``arq.rsparql``, ``riotcmd.riot``...) in a fresh JVM each."""

    classpath: str
    options: tuple[str, ...] = JVM_OPTIONS

    @classmethod
    def install(cls, work_dir: Path, service: str | None = None) -> Jena:
        """Prepare the relocated bundles under ``work_dir``; call only when ``missing()`` is None.

        A first run writes the classes Jena loads to a class-data archive (Java's AppCDS), which every
        later JVM maps instead of loading and verifying them again: each command starts about 0.4 s
        sooner. With ``service`` (a SPARQL endpoint URL) that run is ``rsparql`` against it, so the
        archive also holds Jena's HTTP client and result readers, which most cases load (an ``rsparql``
        then ends about 0.15 s sooner than with an archive of a local query). Without the archive (a
        Java that cannot write one) the commands run as they are."""
        bundles = work_dir / "jena-bundles"
        relocate_bundles(JAVA_DIR / "jena-core.jar", bundles)
        jars = [str(JAVA_DIR / f"{name}.jar") for name in JARS]
        plain = cls(":".join([*jars, str(bundles)]))
        archive, data = work_dir / "jena-classes.jsa", work_dir / "training.nt"
        data.write_text("<http://example.org/a> <http://example.org/p> \"b\"@en .\n", encoding="utf-8")
        training = ["arq.rsparql", "--service", service] if service else ["arq.sparql", "--data", str(data)]
        _java([*JVM_OPTIONS, f"-XX:ArchiveClassesAtExit={archive}", "-cp", plain.classpath,
               *training, "--results", "JSON", TRAINING_QUERY])
        if not archive.is_file():
            return plain
        return cls(plain.classpath, (*JVM_OPTIONS, f"-XX:SharedArchiveFile={archive}"))

    def run(self, main_class: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``main_class`` with ``args``; the caller checks the exit code and reads stdout/stderr."""
        return _java([*self.options, "-cp", self.classpath, main_class, *args], stdin)


def _java(arguments: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(["java", *arguments], input=stdin, capture_output=True, timeout=RUN_TIMEOUT)
    return subprocess.CompletedProcess(
        completed.args, completed.returncode,
        completed.stdout.decode("utf-8", "replace"), completed.stderr.decode("utf-8", "replace"),
    )

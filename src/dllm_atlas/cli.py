"""The ``dllm-atlas`` command: a thin shell over load → check → index → outputs.

Commands::

    dllm-atlas validate [--catalog DIR] [--format text|github|json]
    dllm-atlas readme [--catalog DIR] [--readme FILE] [--check | --unchanged-from BASE]
    dllm-atlas export json [--catalog DIR] [-o FILE]
    dllm-atlas import-markdown FILE -o DIR [--catalog DIR]
    dllm-atlas schema [-o FILE] [--issue-form FILE]
    dllm-atlas add ID... [--catalog DIR] [--kind KIND] [--api-url URL]
    dllm-atlas new KIND --id ID [--catalog DIR]
    dllm-atlas discover [--since DATE] [--until DATE] [-o DIR] [--api-url URL] [--report FILE] [--rules FILE]
    dllm-atlas refresh [--write] [--api-url URL] [--report FILE]
    dllm-atlas enrich [-o FILE]
    dllm-atlas check-links [--catalog DIR] [--format text|json|markdown] [--cache FILE] [--max-age DURATION]
                           [--allow-private] [--timeout S] [--max-concurrency N] [--host-concurrency N]
                           [--host-interval S]
    dllm-atlas build [--catalog DIR] [-o DIR] [--config-file FILE]
    dllm-atlas serve [--catalog DIR] [--config-file FILE] [--dev-addr HOST:PORT]

Global options: ``--version``; ``-v`` for debug messages, ``-q`` for errors only. Results go to
stdout; progress and diagnostics about the run go to stderr through :mod:`logging`.

Also ``python -m dllm_atlas``. Exit codes (listed in ``--help`` too): 0 success; 1 invalid catalog,
stale output, broken links or ids not added; 2 usage error; 3 ``check-links`` found the network
down, or ``discover``/``refresh``/``enrich`` lost the network or an API partway (what was fetched is
kept); 130 interrupted. Problems in the catalog are reported with file, line and column; no input
produces a traceback. Output files are given with ``-o/--output`` everywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

# Only what every command needs loads at start-up; each command imports the rest (httpx, Jinja2,
# MkDocs) itself, so `validate` does not pay for them (issue 12: a third of its time was imports).
from . import __version__, diagnostics, logs, pipeline
from .arxivid import API_URL as ARXIV_API_URL
from .fsutil import write_atomic
from .load import Catalog, load_catalog, load_taxonomy
from .models import ENTRY_CLASSES

if TYPE_CHECKING:
    from .arxiv import ArxivClient
    from .enrich import Enricher
    from .index import Index

DEFAULT_CATALOG = Path("catalog")
log = logging.getLogger(logs.LOGGER)


def _catalog_with_taxonomy(root: Path) -> Catalog | None:
    """The loaded catalog, or None after reporting why its taxonomy cannot be used."""
    catalog = load_catalog(root)
    if catalog.taxonomy is None:
        taxonomy_problems = [d for d in catalog.diagnostics if d.file == catalog.taxonomy_path]
        print(diagnostics.render(taxonomy_problems or catalog.diagnostics, "text"), file=sys.stderr)
        return None
    return catalog


def _valid_index(root: Path) -> Index | None:
    """Load, check and index; on any error print the report and return None."""
    checked = pipeline.run_checks(root)
    if checked.index is None:
        print(diagnostics.render(checked.diagnostics, "text"), file=sys.stderr)
        log.error("the catalog has %d error(s); run 'dllm-atlas validate'", len(checked.diagnostics))
    return checked.index


def cmd_validate(args: argparse.Namespace) -> int:
    checked = pipeline.run_checks(args.catalog, index=False)
    found = checked.diagnostics
    files = checked.catalog.file_count
    if args.files:
        # Only these files' problems (an editor's or pre-commit's view), checked against the whole catalog.
        wanted = {Path(os.path.abspath(f)) for f in args.files}
        outside = sorted(
            str(f)
            for f in args.files
            if not Path(os.path.abspath(f)).is_relative_to(Path(os.path.abspath(args.catalog)))
        )
        if outside:
            log.error("not in the catalog folder %s: %s", args.catalog, ", ".join(outside))
            return 2
        found = [d for d in found if Path(os.path.abspath(d.file)) in wanted]
        files = len(wanted)
    if found:
        print(diagnostics.render(found, args.format))
    if args.format == "text":
        summary = f"{files} file(s) checked, {len(found)} error(s)"
        print(summary, file=sys.stderr if found else sys.stdout)
    return 1 if found else 0


def cmd_readme(args: argparse.Namespace) -> int:
    from . import readme, render

    index = _valid_index(args.catalog)
    if index is None:
        return 1
    path: Path = args.readme
    try:
        expected = readme.generated_files(path, path.read_text(encoding="utf-8"), index, render.environment())
    except (OSError, UnicodeDecodeError) as exc:
        log.error("cannot read %s: %s", path, exc)
        return 1
    except readme.MarkerError as exc:
        log.error("%s: %s", path, exc)
        return 1
    stale = readme.problems(expected, path)
    if args.unchanged_from:
        if not stale:  # regenerated from this change's own catalog: exactly what we want
            print(f"{path}: generated list matches the catalog")
            return 0
        return _readme_untouched(path, expected, args.unchanged_from)
    if args.check:
        if not stale:
            print(f"{path} and {path.parent / readme.LISTS_DIR}/ are up to date")
            return 0
        for file, diff in stale:
            print(f"{file}: {diff}" if "\n" not in diff else diff)
        log.error(
            "%d generated file(s) stale (%s): run 'dllm-atlas readme' and commit the result",
            len(stale),
            ", ".join(str(f) for f, _ in stale[:5]) + (" …" if len(stale) > 5 else ""),
        )
        return 1
    changed = readme.write(expected, stale)
    for file in changed:
        print(f"{'wrote' if file.exists() else 'removed'} {file}")
    if not changed:
        print(f"{path} is up to date")
    return 0


def _readme_untouched(path: Path, expected: dict[Path, str], base: Path) -> int:
    """Fail when a generated file matches neither this catalog (checked first) nor the base branch:
    then it was edited by hand."""
    from . import readme

    try:
        edits = readme.hand_edits(path, expected, base)
    except (OSError, UnicodeDecodeError, readme.MarkerError) as exc:
        log.error("%s: %s", path, exc)
        return 1
    if edits:
        for _, diff in edits:
            print(diff)
        log.error(
            "%s: the generated list matches neither this change's catalog nor the base branch: it was "
            "edited by hand. It is generated from catalog/: change the YAML files instead, then run "
            "'dllm-atlas readme' (or revert those lines; it is regenerated after merge).",
            ", ".join(str(f) for f, _ in edits),
        )
        return 1
    print(f"{path}: generated list untouched")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from . import arxiv, contribute, render

    if args.id is not None and len(args.ids) != 1:
        log.error("--id names one entry: give it with a single arXiv id")
        return 2
    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    if args.id is not None:
        problem = _id_problem(args.id, catalog)
        if problem:
            log.error("%s", problem)
            return 2

    def retrying(reason: str, wait: float, attempt: int, tries: int) -> None:
        log.warning("arXiv API: %s; try %d of %d in %.0f s", reason, attempt, tries, wait)

    def written(path: Path) -> None:
        print(f"wrote {path}: write its topics and summary (marked TODO), then run 'dllm-atlas validate'", flush=True)

    with arxiv.ArxivClient(args.api_url, on_retry=retrying) as client:
        report = contribute.add_from_arxiv(
            args.ids,
            catalog,
            args.kind,
            client,
            render.environment(),
            dt.date.today(),
            on_written=written,
            entry_id=args.id,
        )
    for text in report.invalid:
        log.error("not an arXiv id or arXiv URL: %s", text)
    for arxiv_id, existing in report.present:
        log.error("%s is already in the catalog: %s (edit that file to change the entry)", arxiv_id, existing)
    for arxiv_id, reason in report.excluded:
        log.error("%s is excluded from the catalog (%s); see %s", arxiv_id, reason, args.catalog / "exclusions.yaml")
    for arxiv_id in report.unknown:
        log.error("%s: arXiv has no such paper", arxiv_id)
    if report.error:
        log.error("%s; not fetched: %s", report.error, ", ".join(report.not_fetched))
    if not report.ok:
        log.error(
            "%d draft(s) written, %d id(s) not: see the lines above (run again with just those ids)",
            len(report.written),
            len(report.invalid)
            + len(report.present)
            + len(report.excluded)
            + len(report.unknown)
            + len(report.not_fetched),
        )
    return 0 if report.ok else 1


def _id_problem(entry_id: str, catalog: Catalog) -> str | None:
    from . import contribute

    try:
        contribute.check_id(entry_id)
    except ValueError as exc:
        return str(exc)
    if entry_id in catalog.entries or entry_id in catalog.failed_ids:
        return f"id '{entry_id}' is already used in {catalog.root}: choose another with --id"
    return None


def cmd_new(args: argparse.Namespace) -> int:
    from . import contribute, render

    catalog = load_catalog(args.catalog)
    problem = _id_problem(args.id, catalog)
    if problem:
        log.error("%s", problem)
        return 1
    text = contribute.scaffold(args.kind, args.id, render.environment(), dt.date.today(), catalog.taxonomy)
    path = contribute.scaffold_path(args.catalog, args.kind, args.id)
    write_atomic(path, text)
    print(f"wrote {path}: fill it in, then run 'dllm-atlas validate'")
    return 0


def cmd_check_links(args: argparse.Namespace) -> int:
    from . import links, render
    from .links import report as link_report

    index = _valid_index(args.catalog)
    if index is None:
        return 1
    try:
        max_age = links.parse_duration(args.max_age)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    options = links.Options(
        max_concurrency=args.max_concurrency,
        host_concurrency=args.host_concurrency,
        host_interval=args.host_interval,
        timeout=args.timeout,
        allow_private=args.allow_private,
    )
    urls = links.collect_urls(index.entries)
    progress = None if args.quiet else sys.stderr
    results = links.run(urls, options, args.cache, max_age, progress_stream=progress)
    down = link_report.network_down(results)
    if down is not None:
        log.error(
            "%d of %d hosts could not be reached (name not resolved or connection failed): the network "
            "looks down, so no link is judged; nothing reported, nothing cached (exit %d)",
            *down,
            link_report.NETWORK_DOWN,
        )
        return link_report.NETWORK_DOWN
    if args.format == "json":
        print(json.dumps(link_report.records(results, urls), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(link_report.markdown(results, urls, render.environment()))
    else:
        for line in link_report.text_lines(results, urls):
            print(line)
    log.info("%s", link_report.summary_line(results))
    return link_report.exit_code(results)


NETWORK_FAILED = 3


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def _arxiv_client(api_url: str) -> ArxivClient:
    from . import arxiv

    def announce(reason: str, wait: float, attempt: int, tries: int) -> None:
        log.warning("arXiv API: %s; try %d of %d in %.0f s", reason, attempt, tries, wait)

    return arxiv.ArxivClient(api_url, on_retry=announce)


def cmd_discover(args: argparse.Namespace) -> int:
    from . import discover, render

    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    today = dt.date.today()
    since = args.since or discover.default_since(catalog)
    until = args.until or today
    if since > until:
        log.error("--since %s is after --until %s", since, until)
        return 2
    try:
        rules = discover.load_rules(args.rules)
    except discover.RulesError as exc:
        log.error("%s", exc)
        return 1
    env = render.environment()
    with _arxiv_client(args.api_url) as client:
        report = discover.discover(
            catalog, rules, client, env, since=since, until=until, out=args.output or catalog.root, today=today
        )
    text = discover.render_report(report, env)
    if args.report:
        write_atomic(args.report, text)
    for path in report.written:
        print(f"wrote {path}")
    print(
        f"{len(report.kept)} candidate(s) drafted, {len(report.dropped)} below the threshold, "
        f"{len(report.known)} already in the catalog or excluded ({report.fetched} record(s) read, "
        f"submitted {since} to {until})"
    )
    if report.error:
        log.error("%s; the drafts above are from the pages read before it (exit %d)", report.error, NETWORK_FAILED)
        return NETWORK_FAILED
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from . import refresh, render

    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    with _arxiv_client(args.api_url) as client:
        report = refresh.refresh(catalog, client)
    if args.write:
        refresh.write_all(report, catalog)
    for change in report.changes:
        done = " (updated)" if change.path in report.written else ""
        if change.title:
            print(f"{change.display}: new title{done}: {change.title[1]!r} (was {change.title[0]!r})")
        if change.authors:
            print(f"{change.display}: authors changed{done}: {', '.join(change.authors[1])}")
        if change.venue:
            verb = "venue set" if done else "venue suggested (set by --write)"
            print(f"{change.display}: {verb}: {change.venue} (from the {change.venue_source})")
        if change.confirms:
            verb = "unconfirmed note removed" if done else "would remove the unconfirmed note"
            print(f"{change.display}: {verb} for {', '.join(change.confirms)}")
        if change.withdrawn:
            print(f"{change.display}: withdrawn on arXiv: {change.withdrawn}")
        if change.unknown:
            print(f"{change.display}: arXiv has no paper {change.arxiv} any more")
    for display, why in report.not_written:
        log.error("%s: not updated: %s", display, why)
    if args.report:
        template = render.environment().get_template("refresh_report.md.j2")
        write_atomic(args.report, template.render(report=report, write=args.write))
    print(
        f"{report.checked} paper(s) compared, {len(report.changes)} with changes, {len(report.written)} file(s) updated"
    )
    if report.error:
        log.error("%s; not compared: %s (exit %d)", report.error, ", ".join(report.not_fetched), NETWORK_FAILED)
        return NETWORK_FAILED
    return 1 if report.not_written else 0


def _enricher(token: str) -> Enricher:
    from . import enrich

    return enrich.Enricher(token, on_wait=lambda why, seconds: log.warning("%s; waiting %.0f s", why, seconds))


def cmd_enrich(args: argparse.Namespace) -> int:
    from . import activity, enrich

    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        log.error(
            "GITHUB_TOKEN is not set: GitHub's GraphQL API needs a token (any token that can read public "
            "repositories); %s left untouched",
            args.output,
        )
        return 1
    with _enricher(token) as client:
        try:
            result = enrich.enrich(catalog, client, dt.date.today())
        except enrich.EnrichError as exc:
            log.error("%s; %s left untouched (exit %d)", exc, args.output, NETWORK_FAILED)
            return NETWORK_FAILED
    write_atomic(args.output, activity.dump(result.data))
    for key in result.missing:
        log.warning("not found (moved, renamed or removed?): %s", key)
    print(
        f"wrote {args.output}: {len(result.data.github)} repositories, {len(result.data.huggingface)} models "
        f"({result.requests} request(s), {len(result.missing)} not found)"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from . import export, site

    index = _valid_index(args.catalog)
    if index is None:
        return 1
    text = export.to_json(export.catalog_document(index, site.entry_path))
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _generate_site(args: argparse.Namespace) -> bool:
    from . import site

    index = _valid_index(args.catalog)
    if index is None:
        return False
    try:
        settings = site.read_config(args.config_file)
    except ValueError as exc:
        log.error("%s", exc)
        return False
    try:
        written, removed = pipeline.generate_site(index, settings)
    except ValueError as exc:  # a malformed data/activity.json
        log.error("%s", exc)
        return False
    log.info("generated pages in %s: %d written, %d removed", settings.docs_dir, written, removed)
    return True


def _site_tools_missing(command: str) -> bool:
    """True (after saying what to install) when the ``site`` extra is not installed."""
    missing = [name for name in ("mkdocs", "material") if importlib.util.find_spec(name) is None]
    if missing:
        log.error(
            "'dllm-atlas %s' needs MkDocs and mkdocs-material (missing: %s): pip install 'dllm-atlas[site]' "
            "(in a checkout: pip install -e '.[site]')",
            command,
            ", ".join(missing),
        )
    return bool(missing)


def cmd_build(args: argparse.Namespace) -> int:
    if _site_tools_missing("build"):
        return 2
    if not _generate_site(args):
        return 1
    from . import publish

    if not publish.build_site(args.config_file, args.output, verbose=args.verbose):
        return 1
    print(f"site built in {args.output}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import render

    if _site_tools_missing("serve"):
        return 2
    from . import serve  # MkDocs loads only for the commands that run it

    try:
        address = serve.parse_address(args.dev_addr)
        serve.ensure_free(address)
    except serve.AddressError as exc:
        log.error("%s", exc)
        return 2
    return serve.serve(args.catalog, args.config_file, address, render.environment())


def cmd_schema(args: argparse.Namespace) -> int:
    from . import render, schema

    taxonomy, diags = load_taxonomy(args.catalog)
    if taxonomy is None:
        print(diagnostics.render(diags, "text"), file=sys.stderr)
        return 1
    text = json.dumps(schema.entry_schema(taxonomy), indent=2, ensure_ascii=False) + "\n"
    if args.issue_form:
        write_atomic(args.issue_form, schema.issue_form(taxonomy, render.environment()))
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from . import importer, render

    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        log.error("cannot read %s: %s", args.file, exc)
        return 1
    report = importer.import_list(text, catalog, args.output, render.environment(), dt.date.today())
    for draft, existing in report.known:
        print(f"line {draft.line}: already in the catalog as {existing}: {diagnostics.printable(draft.title)}")
    for draft, reason in report.excluded:
        print(f"line {draft.line}: arXiv {draft.arxiv} is excluded ({reason}): {diagnostics.printable(draft.title)}")
    for draft, path in report.exists:
        print(f"line {draft.line}: {path} exists; not overwritten")
    for draft, path, missing in report.incomplete:
        print(f"line {draft.line}: {path}: needs {' and '.join(missing)}")
    for skipped in report.skipped:
        # the list's own text, shown with its control characters escaped (a list is untrusted)
        print(f"line {skipped.line}: not parsed ({skipped.reason}): {diagnostics.printable(skipped.text[:100])}")
    for unmatched in report.unmatched:
        heading = diagnostics.printable(unmatched.heading)
        where = f"line {unmatched.line}: heading '{heading}'" if unmatched.line else "before any heading:"
        entries = f"{unmatched.entries} entr{'y' if unmatched.entries == 1 else 'ies'}"
        print(f"{where} matched no topic; {entries} under it need topics")
    print(
        f"{report.found} work(s) found, {len(report.written)} draft(s) written to {args.output}, "
        f"{report.merged} duplicate listing(s) merged, {len(report.skipped)} line(s) not parsed, "
        f"{len(report.unmatched)} heading(s) matched no topic"
    )
    return 0


EXIT_CODES = """exit codes:
  0    success
  1    the catalog is invalid, an output is stale, a link is broken, or some ids were not added
  2    usage: a bad option or argument, a busy --dev-addr, a missing 'site' extra
  3    check-links: most hosts were unreachable, so the network looks down (nothing judged);
       discover, refresh, enrich: the network or an API failed (what was fetched so far is kept;
       enrich leaves its file untouched)
  130  interrupted"""


def _count(text: str) -> int:
    """An option's positive whole number (requests in flight)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _seconds(text: str, *, zero: bool = False) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise argparse.ArgumentTypeError(
            f"{text} must be a finite number of seconds{', 0 or more' if zero else ' above 0'}"
        )
    return value


def _interval(text: str) -> float:
    return _seconds(text, zero=True)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option's help (when there is one to show); descriptions and examples
    kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings and "(default" not in text:
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="dllm-atlas",
        description="Validate and publish the dLLM catalog: one YAML file per resource under catalog/.",
        epilog=EXIT_CODES + "\n\nRun 'dllm-atlas COMMAND --help' for a command's options and an example.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="also print debug messages")
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only errors (and results)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str, *examples: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}.\n\n{description}",
            epilog="examples:\n" + "\n".join(f"  {e}" for e in examples) + "\n\n" + EXIT_CODES,
            formatter_class=_HelpFormatter,
        )
        p.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="catalog root (holds taxonomy.yaml)")
        return p

    p = command(
        "validate",
        "check every entry; report located errors",
        "Loads every file under the catalog, checks schema, taxonomy, relations and duplicates, and prints\n"
        "each problem as file:line:column: field: message. With FILE arguments only their problems are\n"
        "reported, still checked against the whole catalog (for editors and pre-commit).",
        "dllm-atlas validate",
        "dllm-atlas validate catalog/papers/llada.yaml",
        "dllm-atlas validate --format github   # annotations on a pull request",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="report only these entry files' problems")
    p.add_argument("--format", choices=("text", "github", "json"), default="text", help="how problems are printed")
    p.set_defaults(func=cmd_validate)

    p = command(
        "readme",
        "regenerate the list inside README.md",
        "Rewrites the awesome list between the dllm-atlas markers of README.md from the catalog.",
        "dllm-atlas readme",
        "dllm-atlas readme --check                      # CI: exit 1 with a diff when stale",
        "dllm-atlas readme --unchanged-from base/README.md   # pull requests: no hand edits",
    )
    p.add_argument("--readme", type=Path, default=Path("README.md"), help="the README to update or check")
    p.add_argument("--check", action="store_true", help="exit 1 with a diff if README.md is stale")
    p.add_argument(
        "--unchanged-from",
        type=Path,
        metavar="BASE",
        help="exit 1 if a generated file matches neither this catalog nor BASE (a hand edit); BASE is the base "
        "branch's checkout, or its README.md alone",
    )
    p.set_defaults(func=cmd_readme)

    p = command(
        "export",
        "export the catalog",
        "Writes every entry, with relations both ways, as one JSON document (stdout unless -o).",
        "dllm-atlas export json -o catalog.json",
    )
    p.add_argument("format", choices=("json",), help="the export format")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.set_defaults(func=cmd_export)

    p = command(
        "import-markdown",
        "turn a Markdown awesome list into draft entries",
        "Reads a list of papers in any usual layout (bullets, numbered items, Markdown or HTML tables,\n"
        "paragraphs, <details> blocks, headings as titles), skips what the catalog holds or excludes,\n"
        "merges duplicate listings, and writes one draft per new work for a curator to finish; prints\n"
        "each line it could not parse and each heading that matched no topic, with line numbers.",
        "dllm-atlas import-markdown awesome.md -o drafts/",
    )
    p.add_argument("file", type=Path, help="the Markdown list")
    p.add_argument("-o", "--output", type=Path, required=True, help="folder to write <kind>s/<id>.yaml drafts into")
    p.set_defaults(func=cmd_import)

    p = command(
        "build",
        "generate the site pages and run mkdocs build --strict",
        "Generates the catalog pages into docs/ and builds the static site (needs the 'site' extra).",
        "dllm-atlas build",
        "dllm-atlas build -o /tmp/site",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("site"), help="folder for the built site")
    p.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"), help="the MkDocs configuration")
    p.set_defaults(func=cmd_build)

    p = command(
        "serve",
        "generate the site and serve it with live reload",
        "Serves the site on --dev-addr and rebuilds on every change under catalog/, templates/ and docs/;\n"
        "while the catalog is invalid, every page shows the located errors (needs the 'site' extra).",
        "dllm-atlas serve",
        "dllm-atlas serve --dev-addr 127.0.0.1:8001",
    )
    p.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"), help="the MkDocs configuration")
    p.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT", help="address to serve on")
    p.set_defaults(func=cmd_serve)

    p = command(
        "schema",
        "print the JSON Schema of entry files",
        "Derives the schema from the models and the taxonomy (committed as schema/entry.schema.json).",
        "dllm-atlas schema -o schema/entry.schema.json",
        "dllm-atlas schema --issue-form .github/ISSUE_TEMPLATE/suggest-resource.yml",
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.add_argument("--issue-form", type=Path, help="also write the 'Suggest a resource' GitHub issue form")
    p.set_defaults(func=cmd_schema)

    p = command(
        "add",
        "draft entries from arXiv ids or URLs",
        "Asks the arXiv API for each id and writes one draft per paper (title, authors, date, links, and\n"
        "venue and code from the arXiv comment filled in); write its topics and summary, then validate.",
        "dllm-atlas add 2605.17174",
        "dllm-atlas add https://arxiv.org/abs/2503.09573v2 --id bd3-lms",
        "dllm-atlas add 2510.01384 --kind model",
    )
    p.add_argument("ids", nargs="+", metavar="ID", help="2502.09992, arxiv:2502.09992 or an arXiv abs/pdf/html URL")
    p.add_argument("--kind", choices=tuple(ENTRY_CLASSES), default="paper", help="the kind of entry to draft")
    p.add_argument("--id", help="the entry id (file name) for a single arXiv id (default: from the title)")
    p.add_argument("--api-url", default=ARXIV_API_URL, help="arXiv API endpoint (a mirror, or a test server)")
    p.set_defaults(func=cmd_add)

    p = command(
        "check-links",
        "check every URL of the catalog",
        "Checks each URL once (HEAD, then GET), politely per host, and reports broken, moved, blocked and\n"
        "unreachable links with every file and line that holds them.",
        "dllm-atlas check-links",
        "dllm-atlas check-links --format markdown --cache .cache/links.json --max-age 12h",
    )
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="how the report is printed")
    p.add_argument("--cache", type=Path, help="JSON file of earlier results; fresh ones are not checked again")
    p.add_argument("--max-age", default="1d", help="how long a cached result stays fresh (30m, 12h, 1d, 2w)")
    p.add_argument("--allow-private", action="store_true", help="allow loopback, private and link-local addresses")
    p.add_argument("--timeout", type=_seconds, default=20.0, help="seconds per request")
    p.add_argument("--max-concurrency", type=_count, default=64, help="requests in flight overall")
    p.add_argument("--host-concurrency", type=_count, default=8, help="requests in flight per host")
    p.add_argument("--host-interval", type=_interval, default=0.05, help="seconds between request starts to one host")
    p.set_defaults(func=cmd_check_links)

    p = command(
        "new",
        "scaffold a blank entry of a kind",
        "Writes catalog/<kind>s/<id>.yaml with every field of the kind and its description from the schema.",
        "dllm-atlas new model --id my-model",
    )
    p.add_argument("kind", choices=tuple(ENTRY_CLASSES), help="the kind of entry")
    p.add_argument("--id", required=True, help="the entry id: a lowercase slug, also its file name")
    p.set_defaults(func=cmd_new)

    p = command(
        "discover",
        "find new dLLM papers on arXiv and draft them",
        "Searches arXiv (cs.CL, cs.LG, cs.AI) for diffusion-language-model papers submitted since --since,\n"
        "drops what the catalog holds or excludes, scores the rest by the rules in data/discover-rules.yaml,\n"
        "and writes a draft per candidate above the threshold plus a Markdown review report.",
        "dllm-atlas discover --report discover.md",
        "dllm-atlas discover --since 2026-11-01 --until 2026-11-30 -o /tmp/drafts",
    )
    p.add_argument(
        "--since", type=_date, help="oldest submission date (default: the catalog's newest date minus 7 days)"
    )
    p.add_argument("--until", type=_date, help="newest submission date (default: today)")
    p.add_argument(
        "-o", "--output", type=Path, help="folder to write <kind>s/<id>.yaml drafts into (default: the catalog)"
    )
    p.add_argument("--report", type=Path, help="write the Markdown review report here")
    p.add_argument("--rules", type=Path, default=Path("data/discover-rules.yaml"), help="the relevance rules")
    p.add_argument("--api-url", default=ARXIV_API_URL, help="arXiv API endpoint (a mirror, or a test server)")
    p.set_defaults(func=cmd_discover)

    p = command(
        "refresh",
        "compare the catalog's papers with arXiv",
        "Fetches every entry's arXiv record and reports new titles, changed authors, acceptances announced\n"
        "in the journal reference or comment (a venue suggestion) and withdrawn papers. --write applies\n"
        "titles (the old one kept in former_titles), authors and venues to the files, keeping their layout.",
        "dllm-atlas refresh",
        "dllm-atlas refresh --write --report refresh.md",
    )
    p.add_argument("--write", action="store_true", help="edit the entry files (title, authors, venue)")
    p.add_argument("--report", type=Path, help="write a Markdown report here")
    p.add_argument("--api-url", default=ARXIV_API_URL, help="arXiv API endpoint (a mirror, or a test server)")
    p.set_defaults(func=cmd_refresh)

    p = command(
        "enrich",
        "read code and model activity into data/activity.json",
        "Reads stars, last push and archived state of every GitHub code link (GraphQL API, token from\n"
        "GITHUB_TOKEN) and downloads and likes of every Hugging Face model link, into one data file the\n"
        "site shows. Without a token or network the file is left untouched.",
        "dllm-atlas enrich                          # with GITHUB_TOKEN set",
        "dllm-atlas enrich -o /tmp/activity.json",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("data/activity.json"), help="the data file to write")
    p.set_defaults(func=cmd_enrich)
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure(verbose=args.verbose, quiet=args.quiet)
    # SIGTERM unwinds like Ctrl-C, so temporary files and folders are removed on the way out.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        log.error("%s", exc)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

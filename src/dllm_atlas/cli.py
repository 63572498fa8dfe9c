"""The ``dllm-atlas`` command: a thin shell over load → check → index → outputs.

Commands::

    dllm-atlas validate [--catalog DIR] [--format text|github|json]
    dllm-atlas readme [--catalog DIR] [--readme FILE] [--check | --unchanged-from BASE_README]
    dllm-atlas export json [--catalog DIR] [-o FILE]
    dllm-atlas import-markdown FILE --out DIR [--catalog DIR]
    dllm-atlas schema [-o FILE] [--issue-form FILE]
    dllm-atlas add ID... [--catalog DIR] [--kind KIND] [--api-url URL]
    dllm-atlas new KIND --id ID [--catalog DIR]
    dllm-atlas check-links [--catalog DIR] [--format text|json|markdown] [--cache FILE] [--max-age DURATION]
                           [--allow-private] [--timeout S] [--max-concurrency N] [--host-concurrency N]
                           [--host-interval S]
    dllm-atlas build [--catalog DIR] [--site-dir DIR] [--config-file FILE]
    dllm-atlas serve [--catalog DIR] [--config-file FILE] [--dev-addr HOST:PORT]

Exit codes: 0 success, 1 invalid catalog or stale output, 2 usage error. Problems in the catalog
are reported with file, line and column; no input produces a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from . import arxiv, check, contribute, diagnostics, export, importer, links, readme, render, schema, site
from .fsutil import write_atomic
from .links import report as link_report
from .index import Index, build_index
from .load import Catalog, load_catalog, load_taxonomy
from .models import ENTRY_CLASSES

DEFAULT_CATALOG = Path("catalog")


def _err(message: str) -> None:
    print(f"dllm-atlas: {message}", file=sys.stderr)


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
    catalog, diags = check.load_and_check(root)
    if diagnostics.has_errors(diags) or catalog.taxonomy is None:
        print(diagnostics.render(diags, "text"), file=sys.stderr)
        _err(f"the catalog has {sum(d.severity == 'error' for d in diags)} error(s); run 'dllm-atlas validate'")
        return None
    return build_index(catalog)


def cmd_validate(args: argparse.Namespace) -> int:
    catalog, diags = check.load_and_check(args.catalog)
    errors = sum(d.severity == "error" for d in diags)
    if diags:
        print(diagnostics.render(diags, args.format))
    if args.format == "text":
        summary = f"{len(catalog.entries)} entries checked, {errors} error(s)"
        print(summary, file=sys.stderr if errors else sys.stdout)
    return 1 if errors or catalog.taxonomy is None else 0


def cmd_readme(args: argparse.Namespace) -> int:
    index = _valid_index(args.catalog)
    if index is None:
        return 1
    path: Path = args.readme
    try:
        current = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"cannot read {path}: {exc}")
        return 1
    try:
        expected = readme.splice(current, readme.render_list(index, render.environment()))
    except readme.MarkerError as exc:
        _err(f"{path}: {exc}")
        return 1
    if args.unchanged_from:
        return _readme_untouched(path, current, args.unchanged_from)
    if args.check:
        if current == expected:
            print(f"{path} is up to date")
            return 0
        print(readme.short_diff(current, expected, path.name))
        _err(f"{path} is stale: run 'dllm-atlas readme' and commit the result")
        return 1
    if current != expected:
        write_atomic(path, expected)
        print(f"wrote {path}")
    else:
        print(f"{path} is up to date")
    return 0


def _readme_untouched(path: Path, current: str, base_path: Path) -> int:
    """Fail when the generated block differs from the base branch's: it was edited by hand."""
    try:
        base = base_path.read_text(encoding="utf-8")
        mine, theirs = readme.generated_block(current), readme.generated_block(base)
    except (OSError, UnicodeDecodeError, readme.MarkerError) as exc:
        _err(f"{path}: {exc}")
        return 1
    if mine != theirs:
        print(readme.short_diff(theirs, mine, path.name, "base branch", "this change"))
        _err(
            f"{path}: the list between the dllm-atlas markers was edited by hand. It is generated from "
            "catalog/: revert those lines and change the YAML files instead; the list is regenerated "
            "after merge."
        )
        return 1
    print(f"{path}: generated list untouched")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None:
        return 1
    try:
        with arxiv.ArxivClient(args.api_url) as client:
            report = contribute.add_from_arxiv(args.ids, catalog, args.kind, client, render.environment(), dt.date.today())
    except arxiv.ArxivError as exc:
        _err(str(exc))
        return 1
    for text in report.invalid:
        _err(f"not an arXiv id or arXiv URL: {text}")
    for arxiv_id, existing in report.present:
        _err(f"{arxiv_id} is already in the catalog: {existing}")
    for arxiv_id, reason in report.excluded:
        _err(f"{arxiv_id} is excluded from the catalog ({reason}); see {args.catalog / 'exclusions.yaml'}")
    for arxiv_id in report.unknown:
        _err(f"{arxiv_id}: arXiv has no such paper")
    for path in report.written:
        print(f"wrote {path}: write its topics and summary (marked TODO), then run 'dllm-atlas validate'")
    return 1 if report.invalid or report.present or report.unknown or report.excluded else 0


def cmd_new(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    if args.id in catalog.entries or args.id in catalog.failed_ids:
        _err(f"id '{args.id}' is already used in {args.catalog}")
        return 1
    try:
        text = contribute.scaffold(args.kind, args.id, render.environment(), dt.date.today())
    except ValueError as exc:
        _err(str(exc))
        return 1
    path = contribute.scaffold_path(args.catalog, args.kind, args.id)
    write_atomic(path, text)
    print(f"wrote {path}: fill it in, then run 'dllm-atlas validate'")
    return 0


def cmd_check_links(args: argparse.Namespace) -> int:
    index = _valid_index(args.catalog)
    if index is None:
        return 1
    try:
        max_age = links.parse_duration(args.max_age)
    except ValueError as exc:
        _err(str(exc))
        return 2
    options = links.Options(
        max_concurrency=args.max_concurrency, host_concurrency=args.host_concurrency,
        host_interval=args.host_interval, timeout=args.timeout, allow_private=args.allow_private,
    )
    urls = links.collect_urls(index.entries)
    results = links.run(urls, options, args.cache, max_age, progress_stream=sys.stderr)
    if args.format == "json":
        print(json.dumps(link_report.records(results, urls), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(link_report.markdown(results, urls, render.environment()))
    else:
        for line in link_report.text_lines(results, urls):
            print(line)
    print(link_report.summary_line(results), file=sys.stderr)
    return link_report.exit_code(results)


def cmd_export(args: argparse.Namespace) -> int:
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
    index = _valid_index(args.catalog)
    if index is None:
        return False
    try:
        settings = site.read_config(args.config_file)
    except ValueError as exc:
        _err(str(exc))
        return False
    written, removed = site.generate(index, render.environment(), settings)
    print(f"generated pages in {settings.docs_dir}: {written} written, {removed} removed")
    return True


def _mkdocs(args: argparse.Namespace, *command: str) -> int:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DLLM_ATLAS_PAGES_READY": "1"}
    return subprocess.call(
        [sys.executable, "-m", "mkdocs", *command, "--config-file", str(args.config_file)], env=env
    )


def cmd_build(args: argparse.Namespace) -> int:
    if not _generate_site(args):
        return 1
    code = _mkdocs(args, "build", "--strict", "--site-dir", str(args.site_dir.resolve()))
    if code != 0:
        _err("mkdocs build --strict failed (see its messages above)")
        return 1
    print(f"site built in {args.site_dir}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if not _generate_site(args):
        return 1
    # Without DLLM_ATLAS_PAGES_READY the hook regenerates on every rebuild: edits show up live.
    env = {k: v for k, v in os.environ.items() if k != "DLLM_ATLAS_PAGES_READY"}
    env.update(NO_MKDOCS_2_WARNING="1", DLLM_ATLAS_CATALOG=str(args.catalog.resolve()))
    command = ["serve", "--config-file", str(args.config_file), "--dev-addr", args.dev_addr]
    return subprocess.call([sys.executable, "-m", "mkdocs", *command], env=env)


def cmd_schema(args: argparse.Namespace) -> int:
    text = json.dumps(schema.entry_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.issue_form:
        taxonomy, diags = load_taxonomy(args.catalog)
        if taxonomy is None:
            print(diagnostics.render(diags, "text"), file=sys.stderr)
            return 1
        write_atomic(args.issue_form, schema.issue_form(taxonomy, render.environment()))
    if args.output:
        write_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    catalog = _catalog_with_taxonomy(args.catalog)
    if catalog is None or catalog.taxonomy is None:
        return 1
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _err(f"cannot read {args.file}: {exc}")
        return 1
    result = importer.parse_markdown(text, importer.TopicGuesser(catalog.taxonomy))
    fresh, known = importer.split_known(result.drafts, catalog.entries.values())
    for draft, existing in known:
        print(f"line {draft.line}: already in the catalog as {existing}: {draft.title}")
    fresh, excluded = importer.split_excluded(fresh, catalog.exclusions)
    for draft, reason in excluded:
        print(f"line {draft.line}: arXiv {draft.arxiv} is excluded ({reason}): {draft.title}")
    template = render.environment().get_template("draft_entry.yaml.j2")
    importer.assign_ids(fresh, set(catalog.entries))
    written = 0
    for draft in fresh:
        path = importer.draft_path(args.out, draft)
        if path.exists():
            print(f"line {draft.line}: {path} exists; not overwritten")
            continue
        write_atomic(path, importer.render_draft(template, draft, dt.date.today()))
        written += 1
        if not draft.date or not draft.topics:
            missing = " and ".join(w for w, ok in (("date", draft.date), ("topics", draft.topics)) if not ok)
            print(f"line {draft.line}: {path}: needs {missing}")
    for skipped in result.skipped:
        print(f"line {skipped.line}: not parsed ({skipped.reason}): {skipped.text[:100]}")
    print(
        f"{written} draft(s) written to {args.out}, {result.merged} duplicate listing(s) merged, "
        f"{len(result.skipped)} line(s) not parsed"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dllm-atlas", description="Validate and publish the dLLM catalog.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_catalog(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="catalog root (holds taxonomy.yaml)")
        return p

    p = with_catalog(sub.add_parser("validate", help="check every entry; report located errors"))
    p.add_argument("--format", choices=("text", "github", "json"), default="text")
    p.set_defaults(func=cmd_validate)

    p = with_catalog(sub.add_parser("readme", help="regenerate the list inside README.md"))
    p.add_argument("--readme", type=Path, default=Path("README.md"))
    p.add_argument("--check", action="store_true", help="exit 1 with a diff if README.md is stale")
    p.add_argument(
        "--unchanged-from", type=Path, metavar="BASE_README",
        help="exit 1 if the generated list differs from the one in BASE_README (a hand edit in a pull request)",
    )
    p.set_defaults(func=cmd_readme)

    p = with_catalog(sub.add_parser("export", help="export the catalog"))
    p.add_argument("format", choices=("json",))
    p.add_argument("-o", "--output", type=Path)
    p.set_defaults(func=cmd_export)

    p = with_catalog(sub.add_parser("import-markdown", help="turn a Markdown awesome list into draft entries"))
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, required=True, help="folder to write <kind>s/<id>.yaml drafts into")
    p.set_defaults(func=cmd_import)

    p = with_catalog(sub.add_parser("build", help="generate the site pages and run mkdocs build --strict"))
    p.add_argument("--site-dir", type=Path, default=Path("site"))
    p.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"))
    p.set_defaults(func=cmd_build)

    p = with_catalog(sub.add_parser("serve", help="generate the site and serve it with live reload"))
    p.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"))
    p.add_argument("--dev-addr", default="127.0.0.1:8000")
    p.set_defaults(func=cmd_serve)

    p = with_catalog(sub.add_parser("schema", help="print the JSON Schema of entry files"))
    p.add_argument("-o", "--output", type=Path)
    p.add_argument("--issue-form", type=Path, help="also write the 'Suggest a resource' GitHub issue form")
    p.set_defaults(func=cmd_schema)

    p = with_catalog(sub.add_parser("add", help="draft entries from arXiv ids or URLs"))
    p.add_argument("ids", nargs="+", metavar="ID", help="2502.09992, arxiv:2502.09992 or an arXiv abs/pdf/html URL")
    p.add_argument("--kind", choices=tuple(ENTRY_CLASSES), default="paper")
    p.add_argument("--api-url", default=arxiv.API_URL, help="arXiv API endpoint (a mirror, or a test server)")
    p.set_defaults(func=cmd_add)

    p = with_catalog(sub.add_parser("check-links", help="check every URL of the catalog"))
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--cache", type=Path, help="JSON file of earlier results; fresh ones are not checked again")
    p.add_argument("--max-age", default="1d", help="how long a cached result stays fresh (30m, 12h, 1d, 2w)")
    p.add_argument("--allow-private", action="store_true", help="allow loopback, private and link-local addresses")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    p.add_argument("--max-concurrency", type=int, default=64, help="requests in flight overall")
    p.add_argument("--host-concurrency", type=int, default=8, help="requests in flight per host")
    p.add_argument("--host-interval", type=float, default=0.05, help="seconds between request starts to one host")
    p.set_defaults(func=cmd_check_links)

    p = with_catalog(sub.add_parser("new", help="scaffold a blank entry of a kind"))
    p.add_argument("kind", choices=tuple(ENTRY_CLASSES))
    p.add_argument("--id", required=True, help="the entry id: a lowercase slug, also its file name")
    p.set_defaults(func=cmd_new)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        _err(str(exc))
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The `--resolve` stage: package facts from an index, a resolver over them, proofs as data.

Nothing here is imported unless `--resolve` is given (the static scan stays offline and
fast). The layers, each in its module:

* `cache`: the on-disk, content-addressed store that CI can restore between runs;
* `index`: where facts come from (PEP 503 HTML / PEP 691 JSON pages, `--find-links`), the
  HTTP client with its timeouts, retries and credential redaction;
* `tags`: which wheel a host installs (its Python and platform, not the running interpreter's);
* `facts`: released versions and per-version metadata (`Requires-Dist`, `Requires-Python`),
  fetched in parallel, one fetch per file across all services and hosts;
* `resolver`: the proof data and each host's candidates (`HostProvider`), evaluating markers
  and tags in the host's environment; `memo` keeps proofs between runs;
* `search`: resolvelib with depcheck's own provider over those facts, imported only when a
  resolution runs (a warm run answered by stored proofs imports no resolver); failures come
  back as `Proof` data;
* `proof`: what a host's proof adds to the static analysis (enriched locks, index gaps,
  resolver conflicts, verified advice).
"""

"""The rules, one module each: what makes a finding, and the words it says.

- `incompatible`: no version satisfies every known constraint on a package of a host;
- `pin_mismatch`: locks that disagree, or a pin another service excludes, while a version fits;
- `stale_lock`: a service's lock that its own declared constraints rule out;
- `self_contradiction`: one service whose own constraints admit no version;
- `python`: the host's Python as one more constraint on the `python` package.

`depcheck.analysis.host` runs them on one host, in that order of precedence.
"""

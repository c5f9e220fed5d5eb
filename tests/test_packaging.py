"""What a plain `pip install .` ships: every package of the source tree.

setup.cfg lists the packages by name; a package added to the tree and not to the list
imports in the editable checkout the tests run from and fails in a real install."""

from __future__ import annotations

import configparser

from conftest import ROOT


def test_every_package_in_the_tree_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(cfg["options"]["packages"].split())
    tree = {".".join(p.parent.relative_to(ROOT).parts)
            for p in (ROOT / "cstool").rglob("__init__.py")}
    assert tree - listed == set(), "add these to [options] packages in setup.cfg"

"""The analysis notebooks run top to bottom on the shipped corpus (one test a notebook)."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_notebook_runs(notebook, repository):
    import nbformat
    from nbclient import NotebookClient

    document = nbformat.read(repository / "notebooks" / notebook, as_version=4)
    resources = {"metadata": {"path": str(repository)}}
    NotebookClient(document, timeout=600, kernel_name="python3", resources=resources).execute()
    outputs = [o for cell in document.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("labelled findings from 77 reports" in o.get("text", "") for o in outputs)

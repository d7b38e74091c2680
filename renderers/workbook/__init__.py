"""The planning template's reader and writer pair: one layout (layout.py) that the writer
(renderers/excel.py) and the reader (reader.py) share, and the round trip of a workbook's figures
back into a plan file (merge.py)."""

"""Adding reports to a project and drafting their statements for review (issue 9).

``register`` keeps a report byte-exact under ``data/reports/<slug>/`` with its metadata; ``draft``
proposes the statements a person then reviews; ``sameevent`` proposes links between reports' events;
``disagreement`` derives who-says-what figures and source grades.
"""

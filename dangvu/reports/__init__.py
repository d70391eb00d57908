"""Every document writer (DOCX / XLSX): they read through the apps' selectors and services and
never write. :mod:`.docx` is the one party layout (page, header, title, tables, signatures)
every .docx writer uses; :mod:`.congress` writes the congress documents (counting minutes,
synthesis of draft comments, delegate apportionment), :mod:`.plan_report` the plan report,
:mod:`.xlsx` the registry's workbooks."""

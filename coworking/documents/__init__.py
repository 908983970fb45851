"""Documents: uploaded files kept in the database (statutes, letters, clippings, photos, logos).

Every upload is checked by its content and by what reading it would cost (`uploads`,
`file_checks`; PDFs are measured in a capped child process, `pdf_probe`).
"""

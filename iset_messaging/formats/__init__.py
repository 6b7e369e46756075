"""Date formats, one per language, for every page and e-mail (FORMAT_MODULE_PATH).

Each language writes dates one way, whether a template asks for DATE_FORMAT or
SHORT_DATE_FORMAT, DATETIME_FORMAT or SHORT_DATETIME_FORMAT: with the month
as a word, so that 11/12/2026 can never be read as either November or
December. Django's own format modules give everything not set here (number
separators, input formats).
"""

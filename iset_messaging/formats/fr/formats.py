"""French: "24 novembre 2026", "24 novembre 2026, 14 h 05" (the Office
québécois de la langue française's style: 24-hour time with "h")."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = r"G \h i"
DATETIME_FORMAT = r"j F Y, G \h i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

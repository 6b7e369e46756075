"""English: "24 November 2026", "24 November 2026, 2:05 p.m." (the Canadian
government style: day, month, year; 12-hour time with a.m. and p.m.)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = "j F Y, g:i a"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT

"""What both apps use and neither owns: domain errors, the id rule, storage helpers.

`casework` and `intake` import from here; this package imports from neither,
so dependencies point one way: intake → casework → common.
"""

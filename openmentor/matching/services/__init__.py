"""Writes of manager-run matching, one module a topic: `runs` (settings, preview, starting
and executing a run), `proposals` (pins and swaps while a manager reviews a proposal) and
`publishing` (staleness checks, then the mentorships and their introductions).
"""

"""Staff working on reports: the queue, triage actions and the timeline, search, CSV export, links
between reports, questions to the reporter, hotspots and trends."""

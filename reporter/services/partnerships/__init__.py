"""Partners: their details, sites (one by one or from a CSV file), entry links and their limits, API
keys, feedback on their reports, posters and the zips of them."""

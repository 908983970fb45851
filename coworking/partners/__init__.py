"""Partners: the organisations the space works with (local authorities, companies, venues…).

Below events: an event is hosted or co-organised by partners. The partner pages, which list
a partner's events and outcomes, are the community feature's.
"""

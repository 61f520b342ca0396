"""Pages of the reporting app, one module per sub-domain: rounds, reports, the queue, the roll-up."""

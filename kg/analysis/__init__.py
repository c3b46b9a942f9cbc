"""Analysis over the graph: analytics (projections, measures, pictures, charts), claim reviews, license checks."""

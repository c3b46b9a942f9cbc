"""Finding entities: the label index, names to IRIs (resolve), and search."""

"""The explorer: server-rendered pages over the query layer, under /ui/."""

"""The Notion edge: the only package that speaks HTTP to Notion. [edge]

- ``client``: :class:`NotionGateway`, the :class:`~syncer.core.gateway.Gateway` over
  notion-client (the only importer of ``notion_client``);
- ``errors``: the one boundary where SDK and transport errors become ``NotionError``;
- ``pacing``: stay inside Notion's request budget;
- ``retry``: the one owner of retries (tenacity).

Nothing is imported here, so that importing one part does not load the others.
"""

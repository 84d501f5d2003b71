"""Page features. Each module is one part of the page with the same anatomy: its ids (module constants),
its layout (``panel(ctx)``, or ``footer``/``component``), and its callbacks (server ones answer what the
browser cannot know; clientside ones hand an input to the date engine). ``page.py`` puts them together;
``common.py`` holds the ids of the page-wide stores they share."""

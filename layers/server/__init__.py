"""What the server needs around the page: login and HTTP hardening (``security``), callback input checks
(``guard``), compressed static files (``serving``), the loaded dataset per process (``context``) and the
instance folder with its imported theatres and saved briefings (``store``)."""

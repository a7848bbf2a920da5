"""The site for people, apart from the machine interfaces (``/sparql``, ``/store``, ``/api``, dumps).

Owns the interface language (``i18n``: the one gettext catalogue in ``server/web/translations``, the choice
``?lang=`` > cookie > ``Accept-Language``), where links to the dataset's IRIs lead (``links``: the canonical
base mapped to the serving base), and the landing page (``landing``). The page templates are in
``server/web/templates`` (``base.html`` is the one layout: header, navigation, footer).
"""

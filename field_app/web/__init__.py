"""The officer app in a browser (Pyodide): the platform pieces a browser does differently, and the offline service worker."""

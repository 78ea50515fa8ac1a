"""Suivi des échéances AKTO des dossiers CIPI, CDPI et CAR."""

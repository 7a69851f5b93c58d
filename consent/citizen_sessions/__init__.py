"""Citizens' login sessions, kept in the database so that every gateway process can end them."""

// libpq, PostgreSQL's C client (Debian's libpq-dev), for the PostgreSQL store.
#include <libpq-fe.h>

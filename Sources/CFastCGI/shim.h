// libfcgi's threaded API only; <fcgi_stdio.h> would redefine stdio for the whole module.
#include <fcgiapp.h>

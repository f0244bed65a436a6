// Console loop

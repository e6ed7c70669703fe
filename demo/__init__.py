"""A bundled sample of realistic sources served from 127.0.0.1, so rubrik can be watched working offline."""

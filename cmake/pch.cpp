// The translation unit that compiles the precompiled headers (cmake/precompiled_headers.cmake).

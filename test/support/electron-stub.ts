/** Stand-in for the `electron` package in vitest (the real one cannot load in plain Node). */
export default {};

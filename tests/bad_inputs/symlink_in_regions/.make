symlink herindelingen.csv -> outside

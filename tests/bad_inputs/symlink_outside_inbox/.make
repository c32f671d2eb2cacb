symlink perined_2020.csv -> outside

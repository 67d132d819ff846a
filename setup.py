"""Package discovery that pyproject.toml alone cannot express.

`templates/` and `migrations/` sit at the top of the repository, where people look for them, and
ship inside the wheel as `recovery._templates` and `recovery._migrations`.
"""

from setuptools import find_packages, setup

TOP_LEVEL_DATA = {"recovery._templates": "templates", "recovery._migrations": "migrations"}

packages = find_packages(include=["recovery", "recovery.*"])
package_dir = {"": "."}
for package, directory in TOP_LEVEL_DATA.items():
    packages.append(package)
    package_dir[package] = directory
    for sub in find_packages(where=directory):
        packages.append(f"{package}.{sub}")
        package_dir[f"{package}.{sub}"] = f"{directory}/{sub.replace('.', '/')}"

setup(packages=packages, package_dir=package_dir)

// Terminal backend: see CursesScreen.swift

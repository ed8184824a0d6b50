// Command app-rename is the Lambda function of the portal route "app-rename".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-rename") }

// Command app-list is the Lambda function of the portal route "app-list".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-list") }
